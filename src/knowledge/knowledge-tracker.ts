/**
 * A `KnowledgeState` brought up to date from the store: the trials created since the
 * last refresh (a page at a time) and those that were in flight then. Whoever recorded
 * them (this process, a worker, another driver), each finished trial is added once; the
 * trials still in flight are read again at each refresh. Memory: the summaries, the ids
 * in flight, the baseline.
 */
import type { Store } from '../core/store.ts';
import type { Objective } from '../core/task.ts';
import type { TrialRecord } from '../core/trial.ts';
import { KnowledgeState, type TrialWithParent } from './knowledge-state.ts';

/**
 * Trials read per query when catching up (the first refresh reads the whole study): pages of
 * 50 die in V8's young generation, so the RSS stays low (as the lineage index's first refresh).
 */
const PAGE = 50;

const inFlight = (trial: TrialRecord) => trial.status === 'pending' || trial.status === 'running';

/**
 * @example
 * const tracker = new KnowledgeTracker(objective);
 * const { baseline, unfinished } = await tracker.refresh(store, studyId);
 * renderKnowledgeFiles(tracker.state.summaries({ study: 'golf', baseline, unfinished, notes }));
 */
export class KnowledgeTracker {
  readonly state: KnowledgeState;
  private lastId = -1;
  private readonly unfinished = new Set<number>();
  private baseline: TrialRecord | undefined;

  constructor(objective: Objective) {
    this.state = new KnowledgeState(objective);
  }

  /** Adds the trials that finished since the last refresh; returns the baseline and the trials in flight now (with their parents). */
  async refresh(store: Pick<Store, 'listTrials'>, studyId: number): Promise<{ baseline: TrialRecord | undefined; unfinished: TrialWithParent[] }> {
    const flying: TrialRecord[] = [];
    const moved = this.unfinished.size === 0 ? [] : await store.listTrials(studyId, { ids: [...this.unfinished].sort((a, b) => a - b) });
    await this.take(store, studyId, moved, flying);
    for (;;) {
      const page = await store.listTrials(studyId, { afterId: this.lastId, limit: PAGE });
      if (page.length > 0) this.lastId = page.at(-1)!.id;
      await this.take(store, studyId, page, flying);
      if (page.length < PAGE) break;
    }
    const baseline = this.baseline ?? flying.find((trial) => trial.id === 0);
    return { baseline, unfinished: await withParents(store, studyId, flying) };
  }

  /** Adds the finished trials of `trials` (with their parents); the others are in flight. */
  private async take(store: Pick<Store, 'listTrials'>, studyId: number, trials: readonly TrialRecord[], flying: TrialRecord[]): Promise<void> {
    const finished: TrialRecord[] = [];
    for (const trial of trials) {
      if (inFlight(trial)) {
        this.unfinished.add(trial.id);
        flying.push(trial);
      } else {
        this.unfinished.delete(trial.id);
        finished.push(trial);
        if (trial.id === 0) this.baseline = trial;
      }
    }
    for (const { trial, parent } of await withParents(store, studyId, finished)) this.state.add(trial, parent);
  }
}

/** Each trial with its parent's record: from the same list, else read by id (one query for them all). */
async function withParents(store: Pick<Store, 'listTrials'>, studyId: number, trials: readonly TrialRecord[]): Promise<TrialWithParent[]> {
  const byId = new Map(trials.map((trial) => [trial.id, trial]));
  const missing = [...new Set(trials.map((trial) => trial.parent).filter((id): id is number => id !== null && !byId.has(id)))].sort((a, b) => a - b);
  if (missing.length > 0) for (const parent of await store.listTrials(studyId, { ids: missing })) byId.set(parent.id, parent);
  return trials.map((trial) => ({ trial, parent: trial.parent === null ? undefined : byId.get(trial.parent) }));
}
