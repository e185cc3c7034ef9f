/** The dashboard's fidelity funnel (`/api/studies/:study/fidelity`), cached per study revision. */
import { fidelityFunnel } from '../views/fidelity-funnel.ts';
import type { StudyEntry, StudyHub } from './study-hub.ts';

/**
 * The funnel of a study on a fidelity ladder as JSON (`{ funnel, revision }`; `funnel`
 * null for a task without a ladder or a store without level records).
 *
 * @example const json = await fidelityJson(hub, await hub.study('golf'));
 */
export async function fidelityJson(hub: Pick<StudyHub, 'store'>, entry: StudyEntry): Promise<string> {
  const ladder = entry.source.task.fidelity;
  const store = hub.store;
  if (ladder === null || !store.listTrialLevels) return JSON.stringify({ funnel: null, revision: entry.snapshot.revision });
  return entry.snapshot.cached('fidelity.json', async () => {
    const records = await store.listTrialLevels!(entry.snapshot.study.id);
    const funnel = fidelityFunnel(ladder, entry.source.task.objective.direction, entry.snapshot.sorted(), records);
    return JSON.stringify({ funnel, revision: entry.snapshot.revision });
  });
}
