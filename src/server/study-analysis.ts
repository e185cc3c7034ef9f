/**
 * The dashboard's knob analysis of one study: each trial's knob values (read once per
 * trial, from its notes or its files at its commit, and kept for the life of the
 * server), the knobs view (slices, parallel coordinates, importance) and the incumbent's
 * configuration, cached per revision (the knobs view's points thinned past 3,000:
 * knob-points-thinning.ts). Importance (a random forest) is refitted only when
 * enough new scored trials arrived, so a busy study does not refit on every event.
 */
import type { TrialRecord } from '../core/trial.ts';
import { incumbentConfiguration, type IncumbentConfiguration } from '../views/incumbent-config.ts';
import { buildKnobAnalysis, scoredObservations, type KnobAnalysis } from '../views/knob-analysis.ts';
import { knobImportance, type KnobImportance } from '../views/knob-importance.ts';
import { thinKnobPoints } from '../views/knob-points-thinning.ts';
import { chainTo, incumbentOf } from '../views/lineage-view.ts';
import type { StudySnapshot } from '../views/study-snapshot.ts';
import { knobsOfTask, type StudyKnob } from '../views/study-knobs.ts';
import { TrialKnobValues, type TrialKnobs } from '../views/trial-knob-values.ts';
import type { StudySource } from './study-source.ts';

/** Refit importance when the scored trials grew by this fraction (or after REFIT_MS with any change). */
const REFIT_GROWTH = 0.02;
const REFIT_MS = 30_000;

type Importance = KnobImportance | { unavailable: string };

export class StudyAnalysis {
  readonly knobs: StudyKnob[];
  private readerPromise: Promise<TrialKnobValues> | null = null;
  private valuesMemo: { revision: number; promise: Promise<ReadonlyMap<number, TrialKnobs>> } | null = null;
  private importanceMemo: { count: number; at: number; value: Importance } | null = null;

  constructor(
    private readonly source: StudySource,
    private readonly snapshot: StudySnapshot,
  ) {
    this.knobs = knobsOfTask(source.record.taskJson);
  }

  /** Every trial's knob values at the current revision (reads only trials not read before). */
  values(): Promise<ReadonlyMap<number, TrialKnobs>> {
    const revision = this.snapshot.revision;
    if (this.valuesMemo?.revision === revision) return this.valuesMemo.promise;
    const promise = this.reader().then((reader) => reader.read(this.snapshot.sorted()));
    this.valuesMemo = { revision, promise };
    promise.catch(() => {
      if (this.valuesMemo?.promise === promise) this.valuesMemo = null;
    });
    return promise;
  }

  /** The knobs view as JSON text, cached per revision. */
  async knobViewJson(): Promise<string> {
    const values = await this.values();
    return this.snapshot.cached('knobs.json', () => {
      const trials = this.snapshot.sorted();
      const view: KnobAnalysis = buildKnobAnalysis({ objective: this.source.task.objective, knobs: this.knobs, trials, values, importance: this.importance(trials, values) });
      const chain = new Set(chainTo(view.incumbent === null ? null : (this.snapshot.trials.get(view.incumbent) ?? null), this.snapshot.trials).map((trial) => trial.id));
      return JSON.stringify({ ...thinKnobPoints(view, chain), total: view.points.length, revision: this.snapshot.revision });
    });
  }

  /** The incumbent's knob values against the baseline's (null before an incumbent). */
  async incumbentConfiguration(): Promise<IncumbentConfiguration | null> {
    const values = await this.values();
    return this.snapshot.cached('incumbent-config', () => {
      const trials = this.snapshot.sorted();
      return incumbentConfiguration(this.knobs, chainTo(incumbentOf(trials), this.snapshot.trials), values);
    });
  }

  private importance(trials: readonly TrialRecord[], values: ReadonlyMap<number, TrialKnobs>): Importance {
    const observations = scoredObservations(trials, values);
    const last = this.importanceMemo;
    const now = Date.now();
    const count = observations.length;
    const fresh = last !== null && (last.count === count || (count < last.count * (1 + REFIT_GROWTH) && now - last.at < REFIT_MS && count >= 200));
    if (fresh) return last.value;
    const value = knobImportance(this.knobs, observations);
    this.importanceMemo = { count, at: now, value };
    return value;
  }

  private reader(): Promise<TrialKnobValues> {
    this.readerPromise ??= (async () => {
      const workspace = this.knobs.length === 0 ? null : await this.source.workspace();
      return new TrialKnobValues(this.knobs, workspace ? (requests, known) => workspace.readFilesAt(requests, known) : null);
    })();
    return this.readerPromise;
  }
}
