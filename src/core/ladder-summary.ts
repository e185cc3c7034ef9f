/**
 * What a study's fidelity ladder says about each trial: its measurements by level, the
 * scaling model's prediction of its full-level score (from its lower levels only, so a
 * trial measured at full shows predicted vs measured), and whether its gain over its
 * parent shrinks with scale. Shown by `show`, `trials --json` and the lineage feedback.
 * Pure: no I/O.
 */
import type { FidelitySpec, TrialLevelRecord } from './fidelity.ts';
import { fitScalingModel, predictAtScale, type ScalingFit, type ScalingObservations, type ScalingPrediction } from './scaling-model.ts';
import { shrinkingGain, type PairedLevel, type ShrinkingGain } from './shrinking-gain.ts';
import type { Direction } from './task.ts';

export interface TrialLadderSummary {
  trialId: number;
  levels: Array<{ level: number; name: string; status: TrialLevelRecord['status']; score: number | null; label: TrialLevelRecord['label']; runMs: number }>;
  /** The highest level measured (scored or not). */
  highestLevel: number;
  /** The full-level score the scaling model predicts from the trial's levels below full; null when it cannot. */
  predictedFull: ScalingPrediction | null;
  /** The measured full-level score, once measured. */
  measuredFull: number | null;
  /** Set when the trial's gain over its parent shrinks with the level beyond noise. */
  shrinking: ShrinkingGain | null;
}

export interface LadderSummary {
  fit: ScalingFit | null;
  trials: Map<number, TrialLadderSummary>;
}

/** Scored (scale, score) points of one trial, levels below `belowLevel` only. */
function pointsOf(fidelity: FidelitySpec, records: readonly TrialLevelRecord[], belowLevel = Infinity): Array<{ scale: number; score: number }> {
  return records
    .filter((record) => record.status === 'scored' && record.score !== null && record.level < belowLevel && fidelity.levels[record.level] !== undefined)
    .map((record) => ({ scale: fidelity.levels[record.level]!.scale, score: record.score! }));
}

/** The noise of one level's score: the spread of the baseline's repeats, the largest over levels (null with fewer than two). */
export function levelNoise(records: readonly TrialLevelRecord[]): number | null {
  let noise: number | null = null;
  for (const record of records) {
    if (record.samples.length < 2) continue;
    const mean = record.samples.reduce((s, v) => s + v, 0) / record.samples.length;
    const std = Math.sqrt(record.samples.reduce((s, v) => s + (v - mean) ** 2, 0) / (record.samples.length - 1));
    noise = Math.max(noise ?? 0, std);
  }
  return noise;
}

/**
 * Summarises every trial with level records: the model is fitted on all of them (the
 * baseline's calibration repeats give the noise), then each trial is predicted from its
 * levels below full and compared with its parent level by level.
 *
 * @example
 * const { trials } = summariseLadder(task.fidelity!, 'minimize', records, new Map([[1, 0]]));
 * trials.get(1)?.predictedFull; // { mean: 2.41, std: 0.05 }
 */
export function summariseLadder(fidelity: FidelitySpec, direction: Direction, records: readonly TrialLevelRecord[], parents: ReadonlyMap<number, number | null>): LadderSummary {
  const byTrial = new Map<number, TrialLevelRecord[]>();
  for (const record of records) byTrial.set(record.trialId, [...(byTrial.get(record.trialId) ?? []), record]);
  const observations: ScalingObservations[] = [...byTrial].map(([trialId, own]) => ({ trialId, points: pointsOf(fidelity, own) }));
  const baselineNoise = levelNoise(byTrial.get(0) ?? []);
  const fit = fitScalingModel(observations, baselineNoise !== null ? { noiseHint: baselineNoise } : {});
  const full = fidelity.levels.length - 1;
  const fullSpec = fidelity.levels[full]!;
  const noise = fit?.noise ?? baselineNoise ?? 0;
  const trials = new Map<number, TrialLadderSummary>();
  for (const [trialId, own] of byTrial) {
    const sorted = [...own].sort((a, b) => a.level - b.level);
    const fullRecord = sorted.find((record) => record.level === full && record.status === 'scored');
    const lower = pointsOf(fidelity, sorted, full);
    const parentId = parents.get(trialId) ?? null;
    const parentRecords = parentId === null ? [] : (byTrial.get(parentId) ?? []);
    const paired: PairedLevel[] = [];
    for (const record of sorted) {
      const parentRecord = parentRecords.find((candidate) => candidate.level === record.level && candidate.status === 'scored');
      if (record.status !== 'scored' || record.score === null || !parentRecord || parentRecord.score === null) continue;
      const spec = fidelity.levels[record.level];
      if (spec) paired.push({ levelName: spec.name, scale: spec.scale, trial: record.score, parent: parentRecord.score });
    }
    trials.set(trialId, {
      trialId,
      levels: sorted.map((record) => ({ level: record.level, name: record.levelName, status: record.status, score: record.score, label: record.label, runMs: record.runMs })),
      highestLevel: sorted[sorted.length - 1]!.level,
      predictedFull: fit && lower.length > 0 ? predictAtScale(fit, lower, fullSpec.scale) : null,
      measuredFull: fullRecord?.score ?? null,
      shrinking: shrinkingGain(paired, { direction, noise, fullScale: fullSpec.scale, fullName: fullSpec.name }),
    });
  }
  return { fit, trials };
}

/** JSON shape of a trial's ladder in `trials --json` and `show --json` (docs/json.md). */
export interface TrialLadderJson {
  levels: Array<{ level: number; name: string; status: 'scored' | 'failed'; score: number | null; label: string | null; runSeconds: number }>;
  highestLevel: string;
  predictedFull: { mean: number; std: number } | null;
  measuredFull: number | null;
  shrinkingGain: string | null;
  /**
   * The scaling model the prediction came from, fitted across the study's trials: the
   * shared exponent, its 95% interval (null when it cannot be told and 0.5 is assumed) and
   * how many trials with two or more levels it was fitted on; null before any trial has two.
   */
  scaling: { exponent: number; exponentInterval: [number, number] | null; trialsUsed: number } | null;
}

/** The fitted model in a trial's `--json` (`TrialLadderJson.scaling`). */
export function scalingJson(fit: ScalingFit | null): TrialLadderJson['scaling'] {
  return fit === null ? null : { exponent: fit.alpha, exponentInterval: fit.alphaInterval ?? null, trialsUsed: fit.trialsUsed };
}

/** A trial's ladder as `--json` prints it (null for a trial never measured at a level). */
export function trialLadderJson(fidelity: FidelitySpec, summary: TrialLadderSummary | undefined, fit: ScalingFit | null = null): TrialLadderJson | null {
  if (!summary) return null;
  return {
    levels: summary.levels.map((level) => ({ level: level.level, name: level.name, status: level.status, score: level.score, label: level.label, runSeconds: level.runMs / 1000 })),
    highestLevel: fidelity.levels[summary.highestLevel]?.name ?? String(summary.highestLevel),
    predictedFull: summary.predictedFull,
    measuredFull: summary.measuredFull,
    shrinkingGain: summary.shrinking?.message ?? null,
    scaling: scalingJson(fit),
  };
}

/**
 * One line for the lineage feedback: the trial's score at each level, the predicted
 * full-level score while it is not measured there, and a shrinking gain, flagged.
 *
 * @example
 * ladderNote(fidelity, summary); // 's 3.07 → m 2.48; predicted full 2.41 ± 0.03; ⚠ shrinking gain: gain +9.2% at s, +8.5% at m: likely gone at full (do not build on it)'
 */
export function ladderNote(fidelity: FidelitySpec, summary: TrialLadderSummary): string {
  const format = (value: number) => Number(value.toPrecision(4)).toString();
  const parts = [summary.levels.map((level) => `${level.name} ${level.score !== null ? format(level.score) : (level.label ?? 'failed')}`).join(' → ')];
  const full = fidelity.levels[fidelity.levels.length - 1]!.name;
  if (summary.measuredFull === null && summary.predictedFull) parts.push(`predicted ${full} ${format(summary.predictedFull.mean)} ± ${format(summary.predictedFull.std)}`);
  if (summary.shrinking) parts.push(`⚠ shrinking gain: ${summary.shrinking.message} (do not build on it)`);
  return parts.join('; ');
}
