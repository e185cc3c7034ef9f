import { describe, expect, it } from 'vitest';
import { runSoak } from './soak-driver.ts';

/**
 * A short crash soak (the long one is `npm run bench:soak`): the driver is SIGKILLed at
 * five random moments of a running study and resumed each time; nothing recorded may be
 * lost, doubled or changed, and nothing may be left running or on disk.
 */
describe('SIGKILL the driver at random points, then resume', () => {
  it('loses, doubles and changes no trial, and leaves no worktree or process behind', async () => {
    const report = await runSoak({ kills: 5, seed: 20_240_611, minDelayMs: 300, maxDelayMs: 2_000, startupKillShare: 0, finalTrials: 1 });
    const context = JSON.stringify(report, null, 1);
    expect(report.driverErrors, context).toEqual([]);
    expect(report.trials, context).toBeGreaterThanOrEqual(2); // the baseline (measured again after each kill that hit it) and the last driver's trial
    expect(Object.values(report.killPoints).reduce((a, b) => a + b, 0), context).toBe(5);
    expect(report, context).toMatchObject({ lost: 0, duplicated: 0, changed: 0, unfinished: 0, orphanedWorktrees: 0, orphanedProcesses: 0 });
    expect(report.details, context).toEqual([]);
  });
});
