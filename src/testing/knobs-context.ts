import { buildLineageFeedback } from '../core/lineage-feedback.ts';
import type { ProposalContext, StudyKnowledgeAccess } from '../core/specialist.ts';
import type { TaskSpec } from '../core/task.ts';
import type { TrialRecord } from '../core/trial.ts';
import { trialHistoryOf } from '../core/trial-history.ts';

/** What a knobs specialist is handed at one proposal of a bench's in-memory study. */
export interface KnobsContextInput {
  task: TaskSpec;
  /** Every trial so far, oldest first. */
  trials: readonly TrialRecord[];
  incumbent: TrialRecord;
  readFile: ProposalContext['readFile'];
  random: () => number;
  signal: AbortSignal;
  knowledge?: StudyKnowledgeAccess;
}

/**
 * The proposal context of an in-memory study driven without the engine (the sampler,
 * failure and warm-start benches): history and lineage feedback as the engine builds
 * them, over the task's `params` surface, and a workspace that knobs never use.
 */
export function knobsProposalContext(input: KnobsContextInput): ProposalContext {
  const { task, trials } = input;
  return {
    task,
    surface: task.surfaces.params!,
    incumbent: input.incumbent,
    history: trialHistoryOf(trials),
    lineage: buildLineageFeedback(trials, { study: task.name, objective: task.objective, viewer: 'tuner' }),
    readFile: input.readFile,
    workspace: { createScratch: async () => Promise.reject(new Error('not used by knobs')), diffBetween: async () => '' },
    random: input.random,
    signal: input.signal,
    ...(input.knowledge ? { knowledge: input.knowledge } : {}),
  };
}
