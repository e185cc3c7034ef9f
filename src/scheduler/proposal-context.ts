import { AutolabError } from '../core/errors.ts';
import { LineageIndex } from '../core/lineage-index.ts';
import { chooseParent } from '../core/parent-strategy.ts';
import { seededRandom } from '../core/random.ts';
import type { TrialLevelRecord } from '../core/fidelity.ts';
import type { ParentStrategySpec } from '../core/parent-strategy.ts';
import type { ProposalContext, Specialist, SpecialistWorkspace } from '../core/specialist.ts';
import type { Store } from '../core/store.ts';
import { RECENT_TRIALS, type TrialHistory } from '../core/trial-history.ts';
import type { TrialRecord } from '../core/trial.ts';
import type { StudyRuntime } from '../evaluator/study-runtime.ts';
import { studyKnowledgeAccess } from '../knowledge/study-knowledge.ts';
import { lineageRunFeedback } from './run-feedback.ts';
import { driverTrialHistory, refreshLineageIndex } from './lineage-refresh.ts';
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
 * `lineageIndex`, only what changed since the last proposal): the study's trials (the
 * newest in memory, any other by query: `history`), the incumbent (or the baseline),
 * the lineage as `specialist` sees it, file reads at any trial's commit and scratch
 * worktrees. The scheduler uses it for
 * every proposal; tests and tools use it to ask one specialist by hand.
 *
 * @example
 * const { runtime } = await study.prepare(signal);
 * const proposal = await ablate.propose(await buildProposalContext(runtime, ablate, { signal }));
 */
export async function buildProposalContext(runtime: StudyRuntime, specialist: Specialist, options: ProposalContextOptions): Promise<ProposalContext> {
  const { store, studyId, task } = runtime;
  const index = options.lineageIndex ?? new LineageIndex({ retainRecent: RECENT_TRIALS });
  await refreshLineageIndex(store, studyId, index);
  const history = driverTrialHistory(store, studyId, index);
  const incumbent = (await store.getIncumbent(studyId)) ?? history.baseline;
  const knowledge = studyKnowledgeAccess(runtime);
  if (!incumbent) throw new AutolabError('NotFound', `study '${runtime.studyName}' has no baseline yet`, { hint: 'measure it first (study.prepare)' });
  const levels = task.fidelity && store.listTrialLevels ? await store.listTrialLevels(studyId) : undefined;
  const random = options.random ?? seededRandom(task.seed * 1_000_003 + index.size);
  const feedbackOptions = { study: runtime.studyName, objective: task.objective, viewer: specialist.spec.name, controlArm: options.noLineage ?? false, ...(await fidelityNotes(runtime, await parentsOf(history, index, levels), levels)) };
  const lineage = await index.feedbackLoading(feedbackOptions, (ids) => store.listTrials(studyId, { ids }));
  // A parent strategy replaces the incumbent as the starting point, and the lineage says which and why.
  const strategy = specialist.spec.parents;
  const parent = strategy ? chooseParent(strategy, { trials: await parentCandidates(store, studyId, strategy, specialist.spec.name), incumbent, objective: task.objective, ...(task.objectives ? { objectives: task.objectives } : {}), specialist: specialist.spec.name, random }) : null;
  const runFeedback = await lineageRunFeedback(runtime, history, incumbent.id, specialist.spec.name, lineage.controlArm);
  return {
    task,
    surface: task.surfaces[specialist.spec.surface]!,
    incumbent: parent?.trial ?? incumbent,
    ...(parent ? { parentChoice: parent } : {}),
    history,
    lineage: {
      ...lineage,
      ...(parent ? { parent: { id: parent.trial.id, score: parent.trial.score, strategy: parent.strategy, reason: parent.reason, ...(parent.island !== undefined ? { island: parent.island } : {}) } } : {}),
      ...(runFeedback ? { runFeedback } : {}),
    },
    ...(levels !== undefined ? { fidelityLevels: levels } : {}),
    readFile: async (trialId, path) => {
      const trial = index.peek(trialId) ?? (await store.getTrial(studyId, trialId));
      return trial?.commit ? runtime.workspace.readFileAt(trial.commit, path) : null;
    },
    workspace: options.workspace ?? specialistWorkspace(runtime),
    random,
    signal: options.signal,
    ...(knowledge ? { knowledge } : {}),
  };
}

/**
 * The trials a parent strategy chooses among, read for this proposal only: none for
 * `incumbent`, the kept trials and the specialist's own for `front`, the scored ones for
 * `tournament`; `islands` and `map_elites` read every trial (members by tag or cell).
 */
async function parentCandidates(store: Store, studyId: number, strategy: ParentStrategySpec, specialist: string): Promise<TrialRecord[]> {
  switch (strategy.strategy) {
    case 'incumbent':
      return [];
    case 'front': {
      const byId = new Map<number, TrialRecord>();
      for (const trial of [...(await store.listTrials(studyId, { status: ['kept'] })), ...(await store.listTrials(studyId, { specialist }))]) byId.set(trial.id, trial);
      return [...byId.values()].sort((a, b) => a.id - b.id);
    }
    case 'tournament':
      return store.listTrials(studyId, { status: ['kept', 'discarded'] });
    default:
      return store.listTrials(studyId);
  }
}

/** The parent of every trial measured on a fidelity ladder (`fidelityNotes` reads them), from the index or the store. */
async function parentsOf(history: TrialHistory, index: LineageIndex, levels: readonly TrialLevelRecord[] | undefined): Promise<ReadonlyMap<number, number | null>> {
  const parents = new Map<number, number | null>();
  if (levels === undefined) return parents;
  const missing: number[] = [];
  for (const id of new Set(levels.map((record) => record.trialId))) {
    const held = index.peek(id);
    if (held !== undefined) parents.set(id, held.parent);
    else missing.push(id);
  }
  for (let from = 0; from < missing.length; from += 500) for (const trial of await history.list({ ids: missing.slice(from, from + 500) })) parents.set(trial.id, trial.parent);
  return parents;
}
