/**
 * Narrow reads of a study's trials for specialists that reason over part of the
 * lineage (combine: the kept trials and their ancestors; ablate: its ablations and
 * the trials they refer to), through `ProposalContext.history` rather than the whole
 * study in memory.
 */
import type { TaskSpec } from '../../core/task.ts';
import type { TrialHistory } from '../../core/trial-history.ts';
import type { TrialRecord } from '../../core/trial.ts';

/**
 * Every trial proposed by the task's specialists of `kind`, in id order.
 *
 * @example
 * const ablations = await trialsOfKind(context.history, context.task, 'ablate');
 */
export async function trialsOfKind(history: TrialHistory, task: TaskSpec, kind: string): Promise<TrialRecord[]> {
  const names = task.specialists.filter((spec) => spec.kind === kind).map((spec) => spec.name);
  const lists = await Promise.all(names.map((specialist) => history.list({ specialist })));
  return lists.flat().sort((a, b) => a.id - b.id);
}

/**
 * `seeds` and every trial they lead to through `links` (a parent, a merged source, ...),
 * read a batch at a time: the records a walk over those links can reach, by id. Ids
 * with no trial are left out.
 *
 * @example
 * const reachable = await linkedTrials(context.history, kept, (trial) => [trial.parent]);
 */
export async function linkedTrials(history: TrialHistory, seeds: readonly TrialRecord[], links: (trial: TrialRecord) => Iterable<number | null>): Promise<Map<number, TrialRecord>> {
  const byId = new Map<number, TrialRecord>();
  const asked = new Set<number>();
  let wave = [...seeds];
  while (wave.length > 0) {
    const next = new Set<number>();
    for (const trial of wave) {
      byId.set(trial.id, trial);
      asked.add(trial.id);
    }
    for (const trial of wave) for (const id of links(trial)) if (id !== null && !asked.has(id)) next.add(id);
    for (const id of next) asked.add(id);
    wave = await readIds(history, [...next]);
  }
  return byId;
}

/** The trials of `ids`, a bounded batch per query. */
async function readIds(history: TrialHistory, ids: readonly number[]): Promise<TrialRecord[]> {
  const found: TrialRecord[] = [];
  for (let from = 0; from < ids.length; from += ID_BATCH) found.push(...(await history.list({ ids: ids.slice(from, from + ID_BATCH) })));
  return found;
}

const ID_BATCH = 500;

/** The trials of `maps`, each once, in id order. */
export function inIdOrder(...maps: ReadonlyArray<Iterable<TrialRecord>>): TrialRecord[] {
  const byId = new Map<number, TrialRecord>();
  for (const trials of maps) for (const trial of trials) byId.set(trial.id, trial);
  return [...byId.values()].sort((a, b) => a.id - b.id);
}
