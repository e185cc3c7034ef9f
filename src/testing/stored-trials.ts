import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TrialRecord } from '../core/trial.ts';
import { SqliteStore } from '../store/sqlite-store.ts';

/**
 * The trials a CLI run recorded in a repository's default store (`.autolab/autolab.db`), read in a
 * store of its own that is closed again; none when the store or the study does not exist yet.
 *
 * @example
 * await waitFor(async () => (await storedTrials(repo)).length >= 3);
 */
export async function storedTrials(repository: string, study = 'fixture'): Promise<TrialRecord[]> {
  const file = join(repository, '.autolab', 'autolab.db');
  if (!existsSync(file)) return [];
  const store = await SqliteStore.open(file);
  try {
    const found = await store.getStudy(study);
    return found ? await store.listTrials(found.id) : [];
  } finally {
    await store.close();
  }
}
