/**
 * The research memory's place in a study's life: the memory store opened for the study
 * (its own store, or the task's `memory.path`), and, while the study runs, after every
 * finished trial: the knowledge files regenerated and the trial remembered (a knob
 * observation, a technique card when kept). The work runs in order, in the background of
 * the driver; `flush` waits for it. It never fails a study: problems become warnings.
 */
import { coerceError } from '../core/errors.ts';
import type { StudyEventMap, TypedEmitter } from '../core/events.ts';
import type { Store } from '../core/store.ts';
import type { TaskSpec } from '../core/task.ts';
import type { MemoryStore, StudyMemory } from '../core/technique-card.ts';
import type { StudyRuntime } from '../evaluator/study-runtime.ts';
import { KnowledgeTracker } from '../knowledge/knowledge-tracker.ts';
import { writeStudyKnowledge } from '../knowledge/study-knowledge.ts';
import { rememberTrial } from '../memory/remember-trial.ts';
import { recipeFingerprint } from '../memory/study-memory.ts';
import { openStore } from '../store/open-store.ts';

/**
 * The memory of a study: the task's `memory.path` store, or the study's own store; null
 * when that store keeps no research memory. `use` overrides `memory.use` (`--memory`).
 * The caller owns `close()` of the returned store when `owned`.
 */
export async function openStudyMemory(task: TaskSpec, store: Store, studyName: string, use?: boolean): Promise<{ memory: StudyMemory; close(): Promise<void> } | null> {
  let memoryStore: MemoryStore | null = null;
  let close = async (): Promise<void> => undefined;
  if (task.memory?.path !== undefined) {
    const other = await openStore(task.memory.path);
    if (!other.researchMemory) {
      await other.close();
      return null;
    }
    memoryStore = other.researchMemory();
    close = () => other.close();
  } else if (store.researchMemory) {
    memoryStore = store.researchMemory();
  }
  if (memoryStore === null) return null;
  return { memory: { store: memoryStore, use: use ?? task.memory?.use ?? false, write: task.memory?.write ?? true, fingerprint: recipeFingerprint(task), studyName }, close };
}

/**
 * Subscribes to `trial.finished`; returns `flush` (waits for the work queued so far) and
 * `detach`. Regenerates the knowledge files once at once (the baseline is measured).
 *
 * @example
 * const hook = attachResearchMemory(runtime, events);
 * try { await driveStudy(...); } finally { await hook.flush(); hook.detach(); }
 */
export function attachResearchMemory(runtime: StudyRuntime, events: TypedEmitter<StudyEventMap>): { flush(): Promise<void>; detach(): void } {
  let chain: Promise<void> = Promise.resolve();
  const warn = (what: string) => (error: unknown) => runtime.events.emit('warning', { code: 'research_memory', message: `${what}: ${coerceError(error).message}` });
  // A refresh asked for while one is queued and not yet started is that one: it reads the
  // store when it starts, so it sees every trial finished until then (one rewrite, not one per trial).
  let refreshQueued = false;
  // The knowledge base's summaries, kept up to date from the store (each rewrite reads what changed since the last).
  const tracker = new KnowledgeTracker(runtime.task.objective);
  const refresh = (): void => {
    if (refreshQueued) return;
    refreshQueued = true;
    chain = chain.then(() => {
      refreshQueued = false;
      return writeStudyKnowledge(runtime, runtime.paths.study, tracker).then(() => undefined, warn('the knowledge base could not be written'));
    });
  };
  const detach = events.on('trial.finished', ({ trial }) => {
    const memory = runtime.memory;
    if (memory) {
      chain = chain.then(() =>
        rememberTrial(trial, { memory, task: runtime.task, store: runtime.store, studyId: runtime.studyId, readFileAt: (commit, path) => runtime.workspace.readFileAt(commit, path) }).then(() => undefined, warn(`trial #${trial.id} could not be remembered`)),
      );
    }
    refresh();
  });
  refresh();
  return { flush: () => chain, detach };
}

/**
 * Runs `body` (a driver, a worker, one submitted trial) with the research memory hook
 * attached: every trial it finishes feeds the knowledge base and the memory, and the
 * writes queued are awaited before it returns. Cards and observations are keyed by study
 * and trial, so a trial seen by both its worker and its driver is remembered once.
 *
 * @example
 * return withResearchMemory(runtime, events, () => workStudy(runtime, options));
 */
export async function withResearchMemory<T>(runtime: StudyRuntime, events: TypedEmitter<StudyEventMap>, body: () => Promise<T>): Promise<T> {
  const hook = attachResearchMemory(runtime, events);
  try {
    return await body();
  } finally {
    await hook.flush();
    hook.detach();
  }
}
