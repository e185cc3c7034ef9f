import type { LineageFeedback } from './lineage.ts';
import type { SpecialistSpec, SurfaceSpec, TaskSpec } from './task.ts';
import type { Proposal, TrialRecord } from './trial.ts';

/** Everything a specialist may look at before it proposes. Read-only. */
export interface ProposalContext {
  task: TaskSpec;
  /** The specialist's own surface (its edit radius). */
  surface: SurfaceSpec;
  /** The trial to build on by default: the incumbent. */
  incumbent: TrialRecord;
  /** Every trial of the study so far, oldest first (finished and in flight). */
  trials: readonly TrialRecord[];
  lineage: LineageFeedback;
  /** Reads a recipe file (path relative to the recipe root) at a trial's commit; null when absent. */
  readFile(trialId: number, path: string): Promise<string | null>;
  /** Uniform [0, 1), seeded per study so searches replay. */
  random(): number;
  signal: AbortSignal;
}

/**
 * The Specialist port: a proposer bound to a surface with a role.
 *
 * `propose` returns one proposal, or null when it has nothing to offer now (the
 * scheduler then asks another specialist, or stops when none has anything). It must
 * not write to the recipe: edits travel inside the proposal and are materialised by
 * the engine. A specialist that throws is recorded as a warning and skipped for that
 * round; it never stops the study. Calls on one specialist are never concurrent.
 */
export interface Specialist {
  readonly spec: SpecialistSpec;
  propose(context: ProposalContext): Promise<Proposal | null>;
}

export type SpecialistFactory = (spec: SpecialistSpec, task: TaskSpec) => Specialist;
