/** What `trials` and `show` print about a study's fidelity ladder (src/core/ladder-summary.ts). */
import { summariseLadder, trialLadderJson, type LadderSummary, type TrialLadderJson, type TrialLadderSummary } from '../../core/ladder-summary.ts';
import type { ScalingFit } from '../../core/scaling-model.ts';
import type { TrialRecord } from '../../core/trial.ts';
import type { Study } from '../../engine/study.ts';
import { fidelityFunnel, FUNNEL_HEADERS, funnelRows, type FidelityFunnel } from '../../views/fidelity-funnel.ts';
import { formatScore, renderTable } from '../format.ts';

/** The study's ladder summary, or null when its task has no `fidelity:` (or its store no levels). */
export async function studyLadder(study: Study, trials: readonly TrialRecord[]): Promise<LadderSummary | null> {
  const fidelity = study.task.fidelity;
  if (!fidelity || !study.store.listTrialLevels) return null;
  const records = await study.store.listTrialLevels(study.record.id);
  return summariseLadder(fidelity, study.task.objective.direction, records, new Map(trials.map((trial) => [trial.id, trial.parent])));
}

/** The `fidelity` field of a trial's JSON (absent without a ladder). */
export function ladderField(study: Study, ladder: LadderSummary | null, trialId: number): { fidelity?: TrialLadderJson | null } {
  if (!ladder || !study.task.fidelity) return {};
  return { fidelity: trialLadderJson(study.task.fidelity, ladder.trials.get(trialId), ladder.fit) };
}

/** Lines of `show` about one trial's ladder: its score at each level, predicted vs measured at full, a shrinking gain. */
export function ladderLines(study: Study, summary: TrialLadderSummary | undefined, fit: ScalingFit | null = null): string[] {
  const fidelity = study.task.fidelity;
  if (!fidelity) return [];
  if (!summary) return ['fidelity: not measured at any level'];
  const levels = summary.levels.map((level) => `${level.name} ${level.status === 'scored' ? formatScore(level.score) : (level.label ?? 'failed')} (${(level.runMs / 1000).toFixed(1)}s)`);
  const lines = [`fidelity levels: ${levels.join(' → ')} · reached ${fidelity.levels[summary.highestLevel]?.name} of ${fidelity.levels.map((level) => level.name).join('/')}`];
  const full = fidelity.levels[fidelity.levels.length - 1]!.name;
  if (summary.predictedFull) {
    const predicted = `${formatScore(summary.predictedFull.mean)} ± ${formatScore(summary.predictedFull.std)}`;
    lines.push(`predicted at ${full}: ${predicted}${summary.measuredFull !== null ? ` · measured ${formatScore(summary.measuredFull)}` : ''}${fit ? ` (${scalingWords(fit)})` : ''}`);
  }
  if (summary.shrinking) lines.push(`shrinking gain: ${summary.shrinking.message}`);
  return lines;
}

/** The scaling model in words: `power law across 12 trials, exponent 0.5 (95% 0.45–0.55)`. */
function scalingWords(fit: ScalingFit): string {
  const interval = fit.alphaInterval ? ` (95% ${formatScore(fit.alphaInterval[0])}–${formatScore(fit.alphaInterval[1])})` : ' (assumed: the levels cannot tell it yet)';
  return `power law across ${fit.trialsUsed} trial${fit.trialsUsed === 1 ? '' : 's'}, exponent ${formatScore(fit.alpha)}${interval}`;
}

/** The study's fidelity funnel (trials and run time per level), or null without a ladder. */
export async function studyFunnel(study: Study, trials: readonly TrialRecord[]): Promise<FidelityFunnel | null> {
  const fidelity = study.task.fidelity;
  if (!fidelity || !study.store.listTrialLevels) return null;
  return fidelityFunnel(fidelity, study.task.objective.direction, trials, await study.store.listTrialLevels(study.record.id));
}

/**
 * What `status` prints about the ladder: per level, the trials measured, stopped, failed,
 * waiting and climbed, the best score and the run time; then what the full level alone
 * would have cost.
 *
 * @example renderFunnel(funnel) // 'fidelity levels\nlevel  scale  measured ...'
 */
export function renderFunnel(funnel: FidelityFunnel): string {
  const rows = funnelRows(funnel, (best) => (best === null ? '—' : formatScore(best)), 's');
  const lines = ['fidelity levels', renderTable([...FUNNEL_HEADERS], rows)];
  const alone = funnel.fullOnlySeconds === null ? '' : ` · every screened trial at the full level alone: ~${funnel.fullOnlySeconds.toFixed(1)}s`;
  lines.push(`run time on the ladder: ${funnel.runSeconds.toFixed(1)}s${alone}`);
  return lines.join('\n');
}
