import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TrialLevelRecord } from '../core/fidelity.ts';
import type { StudyEvent } from '../core/store.ts';
import type { TrialRecord } from '../core/trial.ts';
import { SqliteStore } from '../store/sqlite-store.ts';

/** What a task folder's SQLite store holds for one study: its trials, their level records and its events. */
export interface StoredStudy {
  trials: TrialRecord[];
  levels: TrialLevelRecord[];
  events: StudyEvent[];
}

/**
 * Reads study `name` from the task folder's store (`.autolab/autolab.db`), opened and
 * closed for this read; empty lists while the store or the study does not exist yet (a
 * test polling a run in another process).
 *
 * @example
 * const { trials, levels } = await storedStudy(repo.dir, 'ladder');
 */
export async function storedStudy(dir: string, name: string): Promise<StoredStudy> {
  const file = join(dir, '.autolab', 'autolab.db');
  if (!existsSync(file)) return { trials: [], levels: [], events: [] };
  const store = await SqliteStore.open(file);
  try {
    const study = await store.getStudy(name);
    if (!study) return { trials: [], levels: [], events: [] };
    return { trials: await store.listTrials(study.id), levels: await store.listTrialLevels(study.id), events: await store.listEvents(study.id) };
  } finally {
    await store.close();
  }
}
