import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { AutolabError } from '../core/errors.ts';
import { TypedEmitter, type StudyEventMap } from '../core/events.ts';
import { assertStudyName } from '../core/study-name.ts';
import { studyPaths } from '../layout/autolab-layout.ts';
import { openStore, parseStoreLocation } from '../store/open-store.ts';
import { loadTaskFile, taskJudgingHash } from '../task/load-task.ts';
import { currentOwner } from './owner.ts';
import { Study } from './study.ts';
import { taskChanged } from './task-changed.ts';
import { moveStudyFiles, setAsideOrphanedFolder } from './study-folders.ts';
import { assertQueueStore } from './study-work-options.ts';

export { Study } from './study.ts';
export type { StudyRunOptions } from './study-run-options.ts';
export type { StudyWorkOptions } from './study-work-options.ts';

export interface OpenStudyOptions {
  /** Store location (a SQLite file path); default `<task folder>/.autolab/autolab.db`. */
  store?: string;
  /** Study name; default the task's `name`. */
  study?: string;
  /** Create the study when it does not exist (run, submit) rather than failing (status, show). */
  create?: boolean;
  /** Archive an existing study of that name and start a new one. */
  fresh?: boolean;
  events?: TypedEmitter<StudyEventMap>;
}

/**
 * Opens (or, with `create`, creates) the study of a task file. Refuses to resume a study
 * whose judging parts (objective, score, gates, protected paths, ...) changed since it
 * was created: that would compare trials measured differently. The judging hash is
 * written once, when the study is created (or started anew with `fresh`): opening a
 * study to read it (`create` false) writes nothing, and a study opened under a changed
 * task file can be read but never runs or scores a trial (`Study.prepare` refuses).
 *
 * @example
 * const study = await openStudy('examples/golf', { create: true });
 * const summary = await study.run({ trials: 5 });
 * await study.close();
 */
export async function openStudy(taskPath: string, options: OpenStudyOptions = {}): Promise<Study> {
  const { task, warnings } = await loadTaskFile(taskPath);
  const events = options.events ?? new TypedEmitter<StudyEventMap>();
  for (const warning of warnings) events.emit('warning', warning);
  const name = options.study ?? task.name;
  assertStudyName(name, options.study !== undefined ? 'the study option (--study)' : `the task file's name: in ${task.taskFile}`);
  const paths = studyPaths(task.root, name);
  const location = options.store ?? paths.store;
  const parsed = parseStoreLocation(location);
  // A reading command does not create a store to find nothing in it.
  if (!options.create && parsed.kind === 'sqlite' && parsed.file !== ':memory:' && !existsSync(parsed.file)) throw noSuchStudy(name, location, taskPath);
  await mkdir(paths.state, { recursive: true });
  const store = await openStore(location);
  try {
    const hash = taskJudgingHash(task);
    const taskJson = JSON.stringify(task);
    let existing = await store.getStudy(name);
    if (existing && options.fresh) {
      const archived = `${name}@${existing.createdAt.replace(/[:.]/g, '-')}`;
      await store.renameStudy(existing.id, archived);
      await moveStudyFiles(task.root, name, archived);
      events.emit('warning', { code: 'study_archived', message: `study '${name}' archived as '${archived}' (its folder and trial refs too); starting a fresh one` });
      existing = null;
    }
    if (!existing && !options.create) throw noSuchStudy(name, location, taskPath);
    if (existing && existing.taskHash !== hash && options.create) throw taskChanged(name);
    let study = existing;
    let created = false;
    if (study === null) {
      ({ study, created } = await store.openStudy({ name, taskHash: hash, taskJson }));
      if (created) {
        const aside = await setAsideOrphanedFolder(task.root, name);
        if (aside !== null) events.emit('warning', { code: 'study_folder_set_aside', message: `a folder of an earlier study named '${name}' was left in ${paths.study}; it was moved to ${studyPaths(task.root, aside).study}, not written over` });
        await mkdir(paths.study, { recursive: true });
      }
    } else if (options.create && study.taskJson !== taskJson) {
      // Only parts that do not judge trials changed (budgets, specialists, knobs): the hash stays as written at creation.
      await store.setTask(study.id, study.taskHash, taskJson);
    }
    events.emit('study.opened', { study, resumed: !created });
    return new Study(task, store, study, paths, events, currentOwner(), created, study.taskHash === hash, parsed.kind === 'sqlite' ? parsed.file : null);
  } catch (error) {
    await store.close();
    throw error;
  }
}

function noSuchStudy(name: string, location: string, taskPath: string): AutolabError {
  return new AutolabError('NotFound', `there is no study named '${name}' in ${location}`, { hint: `start it with \`autolab run ${taskPath}\`` });
}

export interface WaitForStudyOptions {
  /** The shared store (PostgreSQL), e.g. `postgres://autolab:secret@db:5432/research`. */
  store: string;
  /** Study name (default: the task's `name`). */
  study?: string;
  events?: TypedEmitter<StudyEventMap>;
  /** Aborted: stop waiting (resolves null). */
  signal: AbortSignal;
  /** Stop waiting after this long (resolves null; default: never). */
  timeoutMs?: number;
  /** How often to look (default 1 s). */
  pollMs?: number;
}

/**
 * Opens the study of a task file in a shared store once its driver has created it (a
 * worker may start first), checking that this task file judges trials as the study
 * does; null when `signal` aborts or `timeoutMs` passes first. For `study.work()`.
 *
 * @example
 * const study = await waitForStudy('/shared/golf', { store: 'postgres://…', signal: stop.signal });
 * if (study) try { await study.work({ stop: stop.signal }); } finally { await study.close(); }
 */
export async function waitForStudy(taskPath: string, options: WaitForStudyOptions): Promise<Study | null> {
  const { task } = await loadTaskFile(taskPath);
  const name = options.study ?? task.name;
  assertStudyName(name, options.study !== undefined ? 'the study option (--study)' : `the task file's name: in ${task.taskFile}`);
  const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
  const hash = taskJudgingHash(task);
  const probe = await openStore(options.store);
  try {
    assertQueueStore(probe, options.store);
    for (;;) {
      const record = await probe.getStudy(name);
      if (record !== null) {
        if (record.taskHash === hash) break;
        throw new AutolabError('TaskChanged', `this worker's task file judges trials differently from study '${name}' (objective, score, gates, limits, ...)`, {
          hint: 'give the worker the same task file as the driver (--task on the shared filesystem)',
        });
      }
      if (options.signal.aborted || Date.now() > deadline) return null;
      await sleep(options.pollMs ?? 1_000, undefined, { signal: options.signal }).catch(() => undefined);
    }
  } finally {
    await probe.close();
  }
  return openStudy(taskPath, { store: options.store, study: name, create: false, ...(options.events ? { events: options.events } : {}) });
}
