/**
 * A real `StudyRuntime` over a fresh copy of a fixture recipe: a real store (SQLite in the
 * study's `.autolab/` folder, or the `store` location given), the real private workspace, and an executor of the test's
 * choosing (a `ScriptedExecutor` by default), without setup, recovery or a measured
 * baseline. For unit tests of the evaluator's and the scheduler's steps.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { StudyEventMap } from '../core/events.ts';
import type { Executor } from '../core/executor.ts';
import type { Store } from '../core/store.ts';
import type { TaskSpec } from '../core/task.ts';
import type { TrialRecord } from '../core/trial.ts';
import type { StudyEvents, StudyRuntime } from '../evaluator/study-runtime.ts';
import { studyPaths } from '../layout/autolab-layout.ts';
import { openStore } from '../store/open-store.ts';
import { loadTaskFile, taskJudgingHash } from '../task/load-task.ts';
import { openWorkspace } from '../workspace/workspace.ts';
import { makeRecipeRepo } from './recipe-repo.ts';
import { ScriptedExecutor } from './scripted-executor.ts';

/** Every event the runtime emitted, in order, as `[name, payload]`. */
export type EmittedEvents = Array<[keyof StudyEventMap, unknown]>;

export interface RuntimeFixture {
  runtime: StudyRuntime;
  store: Store;
  dir: string;
  emitted: EmittedEvents;
  /** Records trial 0 as the measured, kept baseline (its real commit and tree; `metrics` as if scored), running nothing. */
  recordBaseline(metrics?: Record<string, number>): Promise<TrialRecord>;
  /** Records a pending trial of `specialist` (default: the task's first), as the scheduler does. */
  createTrial(draft: { parent?: number | null; edit?: TrialRecord['edit']; specialist?: string; hypothesis?: string; id?: number }): Promise<TrialRecord>;
  close(): Promise<void>;
}

/**
 * @example
 * const fixture = await openRuntimeFixture(FIXTURE, { executor: new ScriptedExecutor({ score: scored({ loss: 1, size: 1 }) }) });
 * const baseline = await fixture.createTrial({ id: 0, parent: null, edit: null });
 * const recorded = await evaluateTrial(fixture.runtime, baseline, { index: 0, gpu: null }, signal);
 */
export async function openRuntimeFixture(fixture: string, options: { executor?: Executor; task?: (task: TaskSpec) => TaskSpec; store?: string } = {}): Promise<RuntimeFixture> {
  const repo = await makeRecipeRepo(fixture);
  try {
    const loaded = (await loadTaskFile(repo.dir)).task;
    const task = options.task ? options.task(loaded) : loaded;
    const paths = studyPaths(task.root, task.name);
    await mkdir(paths.study, { recursive: true });
    const store = await openStore(options.store ?? join(paths.state, 'fixture.db'));
    const { study } = await store.openStudy({ name: task.name, taskHash: taskJudgingHash(task), taskJson: JSON.stringify(task) });
    const { workspace } = await openWorkspace({ root: task.root, repo: task.repo, baseline: task.baseline, baselineCommit: null, study: task.name });
    const emitted: EmittedEvents = [];
    const events: StudyEvents = { emit: (name, payload) => void emitted.push([name, payload]) };
    const runtime: StudyRuntime = {
      task,
      store,
      studyId: study.id,
      studyName: task.name,
      workspace,
      executor: options.executor ?? new ScriptedExecutor(),
      owner: { host: 'fixture-host', pid: process.pid, token: 'fixture-token' },
      paths,
      events,
      baselineCommit: workspace.baselineCommit,
      evaluatorDir: await workspace.evaluatorDir(),
    };
    const createTrial: RuntimeFixture['createTrial'] = (draft) =>
      store.createTrial(study.id, {
        ...(draft.id !== undefined ? { id: draft.id } : {}),
        specialist: draft.specialist ?? (draft.id === 0 ? 'baseline' : (task.specialists[0]?.name ?? 'manual')),
        parent: draft.parent === undefined ? 0 : draft.parent,
        hypothesis: draft.hypothesis ?? 'a test trial',
        seed: task.seed,
        edit: draft.edit === undefined ? null : draft.edit,
        owner: runtime.owner,
      });
    return {
      runtime,
      store,
      dir: repo.dir,
      emitted,
      createTrial,
      recordBaseline: async (metrics = { loss: 9, size: 10 }) => {
        await createTrial({ id: 0, parent: null, edit: null });
        const commit = runtime.baselineCommit;
        const outcome = { status: 'scored' as const, label: null, labelDetail: null, metrics, score: metrics[task.objective.metric] ?? null, timings: {}, logExcerpt: '', commit, tree: await workspace.treeOf(commit), diff: '' };
        return store.finishTrial(study.id, 0, outcome, () => true);
      },
      close: async () => {
        await store.close();
        await repo.cleanup();
      },
    };
  } catch (error) {
    await repo.cleanup();
    throw error;
  }
}
