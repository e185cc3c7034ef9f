/**
 * Opening a study with nothing but its store (`autolab status --store URL --study NAME`
 * from a host that has no task folder): the task is the one the study recorded when it
 * was created or last run (`StudyRecord.taskJson`).
 */
import { AutolabError } from '../core/errors.ts';
import { TypedEmitter, type StudyEventMap } from '../core/events.ts';
import { assertStudyName } from '../core/study-name.ts';
import type { TaskSpec } from '../core/task.ts';
import { studyPaths } from '../layout/autolab-layout.ts';
import { openStore, parseStoreLocation } from '../store/open-store.ts';
import { existsSync } from 'node:fs';
import { currentOwner } from './owner.ts';
import { Study } from './study.ts';

/**
 * A study read from its store alone, for the reading commands (status, trials, show,
 * best, lineage, report). Its task is the recorded one; its folders (logs, the private
 * repository) are where the driver keeps them, and may not exist on this host: what
 * needs them says so. Never run or score trials through it. Without `study`, a store
 * holding exactly one study opens that one.
 *
 * @example
 * const study = await openStudyFromStore('postgres://autolab:secret@db:5432/research', 'golf');
 * console.log((await study.trials()).length);
 * await study.close();
 */
export async function openStudyFromStore(location: string, study?: string, events = new TypedEmitter<StudyEventMap>()): Promise<Study> {
  const parsed = parseStoreLocation(location);
  if (parsed.kind === 'sqlite' && parsed.file !== ':memory:' && !existsSync(parsed.file)) {
    throw new AutolabError('NotFound', `there is no store at ${parsed.file}`, { hint: 'give --store the store the driver uses (its .autolab/autolab.db, or the postgres:// URL)' });
  }
  if (study !== undefined) assertStudyName(study, 'the study option (--study)');
  const store = await openStore(location);
  try {
    const name = study ?? onlyStudy(await store.listStudies(), location);
    const record = await store.getStudy(name);
    if (record === null) {
      const names = (await store.listStudies()).map((one) => one.name);
      throw new AutolabError('NotFound', `this store holds no study named '${name}'`, { hint: names.length > 0 ? `its studies: ${names.join(', ')} (--study NAME)` : 'no study has run against this store yet' });
    }
    const task = JSON.parse(record.taskJson) as TaskSpec;
    return new Study(task, store, record, studyPaths(task.root, record.name), events, currentOwner(), false, true, null);
  } catch (error) {
    await store.close();
    throw error;
  }
}

function onlyStudy(studies: ReadonlyArray<{ name: string }>, location: string): string {
  const live = studies.filter((one) => !one.name.includes('@'));
  if (live.length === 1) return live[0]!.name;
  throw new AutolabError('UsageError', live.length === 0 ? `the store ${location.replace(/:[^:@/]*@/, ':***@')} holds no study` : 'name the study to read: --study NAME', {
    hint: live.length === 0 ? 'start one with `autolab run`' : `the store holds: ${live.map((one) => one.name).join(', ')}`,
  });
}
