/** CommitGroups on their own: who waits, what goes together, how each caller settles. */
import { describe, expect, it } from 'vitest';
import { CommitGroups, GroupedWriteFailed, type GroupRunner } from './commit-group.ts';

/** A log of the transactions run, each the list of its writes' actions; `session` is the transaction's number. */
function recordingRunner(options: { failCommitOf?: number } = {}): GroupRunner<number> & { transactions: string[][]; gates: Array<() => void> } {
  const transactions: string[][] = [];
  const gates: Array<() => void> = [];
  /** Each transaction waits until the test opens its gate, so writes pile up behind it. */
  const gate = () => new Promise<void>((resolve) => gates.push(resolve));
  return {
    transactions,
    gates,
    async alone(_studyId, write) {
      const number = transactions.push([write.action]) - 1;
      await gate();
      const result = await write.run(number);
      if (options.failCommitOf === number) throw new Error('commit failed');
      return result;
    },
    async together(_studyId, writes, runAll) {
      const number = transactions.push(writes.map((write) => write.action)) - 1;
      await gate();
      const results = await runAll(number);
      if (options.failCommitOf === number) throw new Error('commit failed');
      return results;
    },
  };
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise((resolve) => setImmediate(resolve));
  expect(condition()).toBe(true);
}

describe('CommitGroups', () => {
  it('runs a write alone at once, and the writes that arrive meanwhile together, in order', async () => {
    const runner = recordingRunner();
    const groups = new CommitGroups(runner);
    const first = groups.submit(1, 'a', true, async (tx) => `a in ${tx}`);
    await until(() => runner.gates.length === 1);
    const rest = ['b', 'c', 'd'].map((action) => groups.submit(1, action, true, async (tx) => `${action} in ${tx}`));
    runner.gates[0]!();
    await until(() => runner.gates.length === 2);
    runner.gates[1]!();
    expect(await Promise.all([first, ...rest])).toEqual(['a in 0', 'b in 1', 'c in 1', 'd in 1']);
    expect(runner.transactions).toEqual([['a'], ['b', 'c', 'd']]);
  });

  it('settles no caller before its transaction ends', async () => {
    const runner = recordingRunner();
    const groups = new CommitGroups(runner);
    void groups.submit(1, 'a', true, async () => 'a');
    await until(() => runner.gates.length === 1);
    let settled = false;
    const b = groups.submit(1, 'b', true, async () => 'b').finally(() => (settled = true));
    const c = groups.submit(1, 'c', true, async () => 'c');
    runner.gates[0]!();
    await until(() => runner.gates.length === 2);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(settled).toBe(false); // its statements ran; its commit has not
    runner.gates[1]!();
    expect(await Promise.all([b, c])).toEqual(['b', 'c']);
  });

  it('keeps studies apart and caps a group', async () => {
    const runner = recordingRunner();
    const groups = new CommitGroups(runner, 2);
    const a = groups.submit(1, 'a', true, async () => 1);
    const x = groups.submit(2, 'x', true, async () => 2);
    await until(() => runner.gates.length === 2);
    const rest = ['b', 'c', 'd'].map((action) => groups.submit(1, action, true, async () => action));
    for (let opened = 0; opened < 4; opened++) {
      await until(() => runner.gates.length > opened);
      runner.gates[opened]!();
    }
    await Promise.all([a, x, ...rest]);
    expect(runner.transactions).toEqual([['a'], ['x'], ['b', 'c'], ['d']]);
  });

  it('a write that fails inside a group: the group is run again write by write, and only that caller is rejected', async () => {
    const runner = recordingRunner();
    const groups = new CommitGroups(runner);
    void groups.submit(1, 'first', true, async () => undefined);
    await until(() => runner.gates.length === 1);
    let attemptsOfB = 0;
    const a = groups.submit(1, 'a', true, async () => 'a');
    const b = groups.submit(1, 'b', true, async () => {
      attemptsOfB++;
      throw new Error('trial 7 is already kept');
    });
    const c = groups.submit(1, 'c', true, async () => 'c');
    const opener = setInterval(() => runner.gates.forEach((open) => open()), 1);
    try {
      const results = await Promise.allSettled([a, b, c]);
      expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(((results[1] as PromiseRejectedResult).reason as Error).message).toBe('trial 7 is already kept');
    } finally {
      clearInterval(opener);
    }
    expect(attemptsOfB).toBe(2);
    expect(runner.transactions).toEqual([['first'], ['a', 'b', 'c'], ['a'], ['b'], ['c']]);
  });

  it('a group whose commit fails rejects every caller in it with that error', async () => {
    const runner = recordingRunner({ failCommitOf: 1 });
    const groups = new CommitGroups(runner);
    const first = groups.submit(1, 'first', true, async () => 'first');
    await until(() => runner.gates.length === 1);
    const grouped = ['a', 'b', 'c'].map((action) => groups.submit(1, action, true, async () => action));
    const opener = setInterval(() => runner.gates.forEach((open) => open()), 1);
    try {
      expect(await first).toBe('first');
      const results = await Promise.allSettled(grouped);
      expect(results.map((result) => (result.status === 'rejected' ? (result.reason as Error).message : result.value))).toEqual(['commit failed', 'commit failed', 'commit failed']);
    } finally {
      clearInterval(opener);
    }
    expect(runner.transactions).toEqual([['first'], ['a', 'b', 'c']]);
    // The next write runs as usual.
    const after = groups.submit(1, 'after', true, async () => 'after');
    const opener2 = setInterval(() => runner.gates.forEach((open) => open()), 1);
    try {
      expect(await after).toBe('after');
    } finally {
      clearInterval(opener2);
    }
  });

  it('GroupedWriteFailed names the write and keeps its error', () => {
    const cause = new Error('x');
    const failed = new GroupedWriteFailed(2, cause);
    expect(failed.index).toBe(2);
    expect(failed.failure).toBe(cause);
  });

  it('settled waits for every group under way', async () => {
    const runner = recordingRunner();
    const groups = new CommitGroups(runner);
    let done = false;
    void groups.submit(1, 'a', true, async () => undefined).then(() => (done = true));
    const settled = groups.settled();
    await until(() => runner.gates.length === 1);
    runner.gates[0]!();
    await settled;
    expect(done).toBe(true);
  });
});
