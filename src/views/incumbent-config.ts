/**
 * The incumbent's whole configuration against the baseline's: every knob's value at
 * both, whether it changed, and which step of the chain set the incumbent's value, so a
 * reader sees the cumulative change and not only the last step.
 */
import type { TrialRecord } from '../core/trial.ts';
import { knobValueEquals, type KnobValue } from '../specialists/knobs/knob-value.ts';
import type { StudyKnob } from './study-knobs.ts';
import type { TrialKnobs } from './trial-knob-values.ts';

export interface ConfigRow {
  knob: string;
  surface: string;
  type: StudyKnob['type'];
  baseline: KnobValue | null;
  incumbent: KnobValue | null;
  changed: boolean;
  /** The trial on the chain whose step last changed this knob (null when unchanged or unknown). */
  setBy: number | null;
}

export interface IncumbentConfiguration {
  incumbent: number;
  /** Steps from the baseline to the incumbent. */
  steps: number;
  rows: ConfigRow[];
  /** How many knobs differ from the baseline. */
  changed: number;
}

/**
 * @param chain the trials from the baseline (first) to the incumbent (last)
 * @example
 * const config = incumbentConfiguration(knobs, chainTo(incumbentOf(trials), byId), values);
 * config?.rows[0]; // { knob: 'lr', baseline: 0.001, incumbent: 0.021, changed: true, setBy: 7, ... }
 */
export function incumbentConfiguration(knobs: readonly StudyKnob[], chain: readonly TrialRecord[], values: ReadonlyMap<number, TrialKnobs>): IncumbentConfiguration | null {
  const incumbent = chain.at(-1);
  if (incumbent === undefined) return null;
  const baselineValues = values.get(chain[0]!.id) ?? {};
  const incumbentValues = values.get(incumbent.id) ?? {};
  const rows = knobs.map((knob): ConfigRow => {
    const baseline = baselineValues[knob.column] ?? null;
    const current = incumbentValues[knob.column] ?? null;
    const changed = baseline !== null && current !== null && !knobValueEquals(baseline, current);
    return { knob: knob.column, surface: knob.surface, type: knob.type, baseline, incumbent: current, changed, setBy: changed ? setBy(knob.column, chain, values) : null };
  });
  return { incumbent: incumbent.id, steps: chain.length - 1, rows, changed: rows.filter((row) => row.changed).length };
}

/** The last step of the chain whose value of `column` differs from its parent's. */
function setBy(column: string, chain: readonly TrialRecord[], values: ReadonlyMap<number, TrialKnobs>): number | null {
  for (let i = chain.length - 1; i > 0; i--) {
    const here = values.get(chain[i]!.id)?.[column];
    const before = values.get(chain[i - 1]!.id)?.[column];
    if (here === undefined || before === undefined) return null;
    if (!knobValueEquals(here, before)) return chain[i]!.id;
  }
  return null;
}

/** Per file, the lines a unified diff adds and removes. */
export function diffStat(patch: string): Array<{ path: string; added: number; removed: number }> {
  const files: Array<{ path: string; added: number; removed: number }> = [];
  let current: { path: string; added: number; removed: number } | null = null;
  let inHunk = false;
  for (const line of patch.split('\n')) {
    const header = /^diff --git a\/(.*) b\/(.*)$/.exec(line);
    if (header) {
      current = { path: header[2]!, added: 0, removed: 0 };
      files.push(current);
      inHunk = false;
    } else if (current && line.startsWith('@@')) inHunk = true;
    else if (current && inHunk && line.startsWith('+')) current.added++;
    else if (current && inHunk && line.startsWith('-')) current.removed++;
  }
  return files;
}
