/**
 * The dashboard's overview JSON of each study, from the store's aggregate queries
 * (overview-from-store.ts), cached on the study's version: the id of its last audit-log
 * event (every change of a trial appends one). A request reads that one row; the
 * overview is built again only when it moved, and requests that arrive while it is built
 * share the build. Nothing is held per trial: one JSON string per study.
 */
import { AutolabError } from '../core/errors.ts';
import type { Store } from '../core/store.ts';
import { overviewFromStore } from './overview-from-store.ts';
import { storedTask } from './study-source.ts';

type AggregatingStore = Store & Required<Pick<Store, 'aggregateTrials'>>;

/** True when `store` answers aggregate queries (both built-in stores do). */
export function canAggregate(store: Store): store is AggregatingStore {
  return typeof store.aggregateTrials === 'function';
}

export class OverviewCache {
  private readonly built = new Map<string, { revision: number; json: Promise<string> }>();

  constructor(private readonly store: AggregatingStore) {}

  /**
   * The overview of study `name` as JSON, current to its last event.
   *
   * @example const json = await new OverviewCache(store).json('golf');
   */
  async json(name: string): Promise<string> {
    const study = await this.store.getStudy(name);
    if (!study) throw new AutolabError('NotFound', `there is no study named '${name}' in this store`, { hint: 'the studies list is at /api/studies' });
    const [last] = await this.store.listEvents(study.id, { descending: true, limit: 1 });
    const revision = last?.id ?? 0;
    const key = `${study.id}`;
    const hit = this.built.get(key);
    if (hit && hit.revision === revision) return hit.json;
    const json = overviewFromStore({ store: this.store, study, objective: storedTask(study).objective, revision }).then((overview) => JSON.stringify(overview));
    this.built.set(key, { revision, json });
    json.catch(() => {
      if (this.built.get(key)?.json === json) this.built.delete(key);
    });
    return json;
  }
}
