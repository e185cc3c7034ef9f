/** What `show` prints about a trial's cost: the cost model's prediction before it started, and what it then took. */
import type { AuditEventMap } from '../../core/audit-events.ts';
import type { TrialRecord } from '../../core/trial.ts';
import type { Study } from '../../engine/study.ts';
import { RUN_LEVEL } from '../../scheduler/cost-prediction.ts';

/** The `cost` field of `show --json`: per level, predicted and measured run time (docs/json.md). */
export interface TrialCostJson {
  levels: Array<{ level: number; levelName: string; expectedRunMs: number | null; measuredRunMs: number | null; ratio: number | null }>;
  factor: number;
  terms: AuditEventMap['trial.cost_predicted']['terms'];
  fittedOn: number;
  usd: number | null;
}

/**
 * A trial's predicted (`trial.cost_predicted`) and measured run times per level, or null
 * when no prediction was recorded (a trial of an older version, the baseline).
 *
 * @example (await trialCost(study, trial))?.levels[0] // { levelName: 's', expectedRunMs: 1200, measuredRunMs: 1310, ratio: 1.09 }
 */
export async function trialCost(study: Study, trial: TrialRecord): Promise<TrialCostJson | null> {
  const events = await study.store.listEvents(study.record.id);
  const predicted = events.findLast((event) => event.trialId === trial.id && event.type === 'trial.cost_predicted');
  if (predicted === undefined || predicted.type !== 'trial.cost_predicted') return null;
  const measured = new Map<number, number>();
  if (study.task.fidelity && study.store.listTrialLevels) {
    for (const record of await study.store.listTrialLevels(study.record.id, [trial.id])) if (record.runMs > 0) measured.set(record.level, record.runMs);
  } else if ((trial.timings.runMs ?? 0) > 0) measured.set(0, trial.timings.runMs!);
  const { levels, factor, terms, fittedOn, usd } = predicted.data;
  return {
    levels: levels.map((level) => {
      const measuredRunMs = measured.get(level.level) ?? null;
      const ratio = measuredRunMs !== null && level.expectedRunMs !== null && level.expectedRunMs > 0 ? measuredRunMs / level.expectedRunMs : null;
      return { ...level, measuredRunMs, ratio };
    }),
    factor,
    terms,
    fittedOn,
    usd,
  };
}

/**
 * `show`'s lines: `cost: s 1.2s predicted → 1.3s measured (×1.09) · full 8.0s predicted` and
 * the factor's terms.
 */
export function costLines(cost: TrialCostJson | null): string[] {
  if (cost === null) return [];
  const seconds = (ms: number | null) => (ms === null ? '?' : `${(ms / 1000).toFixed(1)}s`);
  const levels = cost.levels.map((level) => {
    const name = level.levelName === RUN_LEVEL ? 'run' : level.levelName;
    const measured = level.measuredRunMs === null ? '' : ` → ${seconds(level.measuredRunMs)} measured${level.ratio === null ? '' : ` (×${level.ratio.toFixed(2)})`}`;
    return `${name} ${seconds(level.expectedRunMs)} predicted${measured}`;
  });
  const terms = cost.terms.map((term) => `${term.feature} ${term.value >= 0 ? '+' : ''}${term.value.toFixed(2)}×${term.coefficient.toFixed(2)}`);
  const why = `×${cost.factor.toFixed(2)} its parent's run time${terms.length > 0 ? ` (log: ${terms.join(', ')})` : ''}, learnt from ${cost.fittedOn} trial(s)${cost.usd !== null ? ` · proposal $${cost.usd.toFixed(4)}` : ''}`;
  return [`cost: ${levels.join(' · ')}`, `  cost model: ${why}`];
}
