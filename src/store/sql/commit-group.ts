/**
 * Group commit of a study's recording writes (a trial created, its progress, its
 * outcome): while one transaction of the study runs in this process, the writes that
 * arrive wait, and the next transaction carries all of them (up to
 * `MAX_WRITES_PER_GROUP`), in the order they arrived. Slots that finish close together
 * then pay for one commit (one disk flush on PostgreSQL) instead of one each.
 *
 * Nothing is acknowledged before it is durable: every caller's promise settles only
 * once the transaction that carries its write has committed (or failed). A write alone
 * (no transaction under way) starts at once, exactly as without grouping.
 *
 * When a group fails:
 * - one write's own statements failed (a trial already finished, a missing parent, any
 *   database error inside it): the transaction is rolled back whole, and each write of
 *   the group is run again alone, in order, so each caller gets the result it would have
 *   had without grouping (the failing one its own error);
 * - the transaction itself failed (the lock, the commit, the connection): nothing of it
 *   is recorded, and every caller in it is rejected with that error.
 */

/** Writes carried by one transaction at most (bounds how long the study lock is held). */
export const MAX_WRITES_PER_GROUP = 32;

/** One write waiting for its group. `run` executes its statements inside the group's transaction. */
export interface GroupedWrite<S> {
  action: string;
  /** false for progress (TransactionOptions.durable); a group is durable when any write in it is. */
  durable: boolean;
  run: (session: S) => Promise<unknown>;
  /** The write's first read, which a transaction carrying this write alone may send with its lock (opaque here). */
  first?: unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** A write of a group failed inside its own statements (`index` in the group). */
export class GroupedWriteFailed extends Error {
  constructor(
    readonly index: number,
    readonly failure: unknown,
  ) {
    super(`write ${index} of a grouped transaction failed`);
  }
}

/**
 * How the store runs writes: `alone` one write in its own transaction (the path without
 * grouping), `together` several in one transaction (calling each write's `run` in order;
 * a `run` that throws must make it throw GroupedWriteFailed, which `runInGroup` does).
 */
export interface GroupRunner<S> {
  alone(studyId: number, write: GroupedWrite<S>): Promise<unknown>;
  together(studyId: number, writes: ReadonlyArray<GroupedWrite<S>>, runAll: (session: S) => Promise<unknown[]>): Promise<unknown[]>;
}

/**
 * The groups of one store, per study.
 *
 * @example
 * const groups = new CommitGroups<SqlSession>({ alone: ..., together: ... });
 * const trial = await groups.submit(studyId, 'create a trial', true, (tx) => createTrial(tx, ...));
 */
export class CommitGroups<S> {
  private readonly studies = new Map<number, { running: boolean; waiting: Array<GroupedWrite<S>> }>();
  /** The studies' drains under way. */
  private readonly draining = new Set<Promise<void>>();

  constructor(
    private readonly runner: GroupRunner<S>,
    private readonly maxWrites = MAX_WRITES_PER_GROUP,
  ) {}

  /** Runs `run` in the study's next transaction; settles once that transaction has committed or failed. */
  submit<T>(studyId: number, action: string, durable: boolean, run: (session: S) => Promise<T>, first?: unknown): Promise<T> {
    let study = this.studies.get(studyId);
    if (study === undefined) this.studies.set(studyId, (study = { running: false, waiting: [] }));
    const settled = new Promise<T>((resolve, reject) => {
      study.waiting.push({ action, durable, run, ...(first === undefined ? {} : { first }), resolve: resolve as (value: unknown) => void, reject });
    });
    if (!study.running) {
      const drain = this.drain(studyId, study);
      this.draining.add(drain);
      void drain.finally(() => this.draining.delete(drain));
    }
    return settled;
  }

  /** Resolves once no write waits and no group runs (the store is closing). */
  async settled(): Promise<void> {
    while (this.draining.size > 0) await Promise.allSettled([...this.draining]);
  }

  /** Runs the study's waiting writes, group after group, until none wait. */
  private async drain(studyId: number, study: { running: boolean; waiting: Array<GroupedWrite<S>> }): Promise<void> {
    study.running = true;
    try {
      while (study.waiting.length > 0) {
        const group = study.waiting.splice(0, this.maxWrites);
        await this.commit(studyId, group);
      }
    } finally {
      study.running = false;
      if (study.waiting.length === 0) this.studies.delete(studyId);
    }
  }

  /** One group: every caller settled, never thrown. */
  private async commit(studyId: number, group: Array<GroupedWrite<S>>): Promise<void> {
    if (group.length === 1) return this.runAlone(studyId, group[0]!);
    let results: unknown[];
    try {
      results = await this.runner.together(studyId, group, (session) => runInGroup(session, group));
    } catch (error) {
      if (error instanceof GroupedWriteFailed) {
        // Rolled back whole: each write again on its own, in order, as without grouping.
        for (const write of group) await this.runAlone(studyId, write);
      } else {
        for (const write of group) write.reject(error);
      }
      return;
    }
    group.forEach((write, index) => write.resolve(results[index]));
  }

  private async runAlone(studyId: number, write: GroupedWrite<S>): Promise<void> {
    try {
      write.resolve(await this.runner.alone(studyId, write));
    } catch (error) {
      write.reject(error);
    }
  }
}

/** Runs each write's statements in order on `session`; the first that throws becomes GroupedWriteFailed. */
async function runInGroup<S>(session: S, group: ReadonlyArray<GroupedWrite<S>>): Promise<unknown[]> {
  const results: unknown[] = [];
  for (const [index, write] of group.entries()) {
    try {
      results.push(await write.run(session));
    } catch (error) {
      throw new GroupedWriteFailed(index, error);
    }
  }
  return results;
}
