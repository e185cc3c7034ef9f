import { AutolabError } from '../core/errors.ts';
import { LineageIndex } from '../core/lineage-index.ts';
import { chooseParent } from '../core/parent-strategy.ts';
import { seededRandom } from '../core/random.ts';
import type { ProposalContext, Specialist, SpecialistWorkspace } from '../core/specialist.ts';
import type { StudyRuntime } from '../evaluator/study-runtime.ts';
import { studyKnowledgeAccess } from '../knowledge/study-knowledge.ts';
import { lineageRunFeedback } from './run-feedback.ts';
import { refreshLineageIndex } from './lineage-refresh.ts';
import { fidelityNotes } from './ladder-notes.ts';
import { specialistWorkspace } from './specialist-workspace.ts';

/** What `buildProposalContext` needs beside the study's runtime. */
export interface ProposalContextOptions {
  /** Seeded per study; default a generator seeded from the task's seed. */
  random?: () => number;
  signal: AbortSignal;
  /** The control arm: the lineage shows only the incumbent's score. */
  noLineage?: boolean;
  /** Reuse one workspace across calls (default: a fresh `specialistWorkspace(runtime)`). */
  workspace?: SpecialistWorkspace;
  /**
   * The driver's index of the study's trials, kept across proposals: refreshed with only
   * what changed since the last one (default: every trial read afresh).
   */
  lineageIndex?: LineageIndex;
}

/**
 * The context a specialist sees before it proposes, read from the store (with a
 * `lineageIndex`, only what changed since the last proposal): every
 * trial so far, the incumbent (or the baseline), the lineage as `specialist` sees it,
 * file reads at any trial's commit and scratch worktrees. The scheduler uses it for
 * every proposal; tests and tools use it to ask one specialist by hand.
 *
 * @example
 * const { runtime } = await study.prepare(signal);
 * const proposal = await ablate.propose(await buildProposalContext(runtime, ablate, { signal }));
 */
export async function buildProposalContext(runtime: StudyRuntime, specialist: Specialist, options: ProposalContextOptions): Promise<ProposalContext> {
  const { store, studyId, task } = runtime;
  const index = options.lineageIndex ?? new LineageIndex();
  await refreshLineageIndex(store, studyId, index);
  const trials = index.trials();
  const baseline = trials.find((trial) => trial.id === 0);
  const incumbent = (await store.getIncumbent(studyId)) ?? baseline;
  const knowledge = studyKnowledgeAccess(runtime);
  if (!incumbent) throw new AutolabError('NotFound', `study '${runtime.studyName}' has no baseline yet`, { hint: 'measure it first (study.prepare)' });
  const levels = task.fidelity && store.listTrialLevels ? await store.listTrialLevels(studyId) : undefined;
  const random = options.random ?? seededRandom(task.seed * 1_000_003 + trials.length);
  const lineage = index.feedback({ study: runtime.studyName, objective: task.objective, viewer: specialist.spec.name, controlArm: options.noLineage ?? false, ...(await fidelityNotes(runtime, trials, levels)) });
  // A parent strategy replaces the incumbent as the starting point, and the lineage says which and why.
  const parent = specialist.spec.parents ? chooseParent(specialist.spec.parents, { trials, incumbent, objective: task.objective, ...(task.objectives ? { objectives: task.objectives } : {}), specialist: specialist.spec.name, random }) : null;
  const runFeedback = await lineageRunFeedback(runtime, trials, incumbent.id, specialist.spec.name, lineage.controlArm);
  return {
    task,
    surface: task.surfaces[specialist.spec.surface]!,
    incumbent: parent?.trial ?? incumbent,
    ...(parent ? { parentChoice: parent } : {}),
    trials,
    lineage: {
      ...lineage,
      ...(parent ? { parent: { id: parent.trial.id, score: parent.trial.score, strategy: parent.strategy, reason: parent.reason, ...(parent.island !== undefined ? { island: parent.island } : {}) } } : {}),
      ...(runFeedback ? { runFeedback } : {}),
    },
    ...(levels !== undefined ? { fidelityLevels: levels } : {}),
    readFile: async (trialId, path) => {
      const trial = index.byId(trialId) ?? (await store.getTrial(studyId, trialId));
      return trial?.commit ? runtime.workspace.readFileAt(trial.commit, path) : null;
    },
    workspace: options.workspace ?? specialistWorkspace(runtime),
    random,
    signal: options.signal,
    ...(knowledge ? { knowledge } : {}),
  };
}
