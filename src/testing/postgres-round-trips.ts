/**
 * Counts what a PostgreSQL store sends (bench:store, src/store/pipelined-writes.test.ts):
 * round trips (a statement sent while its connection waits for nothing else; statements
 * written behind one still in flight, pipelined, ride in its round trip), statements, and
 * commits, split into those
 * that wait for the disk and those that do not (`SET LOCAL synchronous_commit = off`, or
 * the same set by `set_config(..., true)` in the study lock's statement).
 * It wraps `pg.Client.prototype.query` of the `pg` module the stores use.
 *
 * @example
 * const counter = countPostgresRoundTrips();
 * const before = counter.snapshot();
 * await recordTrials(...);
 * const per = counter.since(before, trials); // { roundTrips: 5, statements: 9, durableCommits: 1, asyncCommits: 2 }
 */
import pg from 'pg';

export interface WireCounts {
  roundTrips: number;
  statements: number;
  durableCommits: number;
  asyncCommits: number;
}

interface ClientState {
  inFlight: number;
  /** Whether the open transaction's commit waits for the disk (null: none open). */
  durable: boolean | null;
}

const ZERO: WireCounts = { roundTrips: 0, statements: 0, durableCommits: 0, asyncCommits: 0 };

/** The process's counts (one counter, installed once, whoever asks for it). */
const counts: WireCounts = { ...ZERO };
const states = new WeakMap<object, ClientState>();

/** Installs the counter once per process; returns it. */
export function countPostgresRoundTrips(): { snapshot(): WireCounts; since(before: WireCounts, per: number): WireCounts } {
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown; __counted?: boolean };
  if (!proto.__counted) {
    const original = proto.query;
    proto.__counted = true;
    proto.query = function (this: object, ...args: unknown[]) {
      let state = states.get(this);
      if (state === undefined) states.set(this, (state = { inFlight: 0, durable: null }));
      const config = args[0];
      const text = typeof config === 'string' ? config : typeof (config as { text?: unknown })?.text === 'string' ? (config as { text: string }).text : '';
      const statements = text.split(';').filter((part) => part.trim().length > 0);
      counts.statements += Math.max(1, statements.length);
      if (state.inFlight === 0) counts.roundTrips++;
      for (const part of statements.map((s) => s.trim().toUpperCase())) {
        if (part.startsWith('BEGIN')) state.durable = true;
        else if (/SYNCHRONOUS_COMMIT ?= ?OFF|SET_CONFIG\('SYNCHRONOUS_COMMIT', 'OFF', TRUE\)/.test(part)) state.durable = false;
        else if (part === 'COMMIT') {
          if (state.durable === false) counts.asyncCommits++;
          else counts.durableCommits++;
          state.durable = null;
        } else if (part === 'ROLLBACK') state.durable = null;
      }
      state.inFlight++;
      const result = original.apply(this, args) as Promise<unknown> | undefined;
      const done = () => {
        state.inFlight--;
      };
      if (result && typeof result.then === 'function') result.then(done, done);
      else state.inFlight--; // a callback or a submittable: counted as sent, not tracked
      return result;
    };
  }
  return {
    snapshot: () => ({ ...counts }),
    since: (before, per) => ({
      roundTrips: Math.round(((counts.roundTrips - before.roundTrips) / per) * 100) / 100,
      statements: Math.round(((counts.statements - before.statements) / per) * 100) / 100,
      durableCommits: Math.round(((counts.durableCommits - before.durableCommits) / per) * 100) / 100,
      asyncCommits: Math.round(((counts.asyncCommits - before.asyncCommits) / per) * 100) / 100,
    }),
  };
}
