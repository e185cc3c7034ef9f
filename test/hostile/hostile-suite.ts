import { afterAll, beforeAll, expect, it } from 'vitest';
import type { SandboxMode } from '../../src/core/task.ts';
import type { HostileCase } from './hostile-cases.ts';
import { HostileSuite } from './hostile-harness.ts';

/**
 * Declares one test per case, run in one study under `sandbox` (prepared once): each
 * must be contained; a last test checks that the study goes on unharmed. Call it inside
 * a `describe`.
 */
export function hostileSuite(sandbox: SandboxMode, cases: readonly HostileCase[]): void {
  let suite: HostileSuite;
  beforeAll(async () => {
    suite = await HostileSuite.open(sandbox);
  });
  afterAll(async () => {
    await suite?.close();
  });

  for (const hostile of cases) {
    it(`${hostile.name}: ${hostile.threat}`, async (context) => {
      const result = await suite.run(hostile);
      if (result.skipped !== null) {
        context.skip(result.skipped);
        return;
      }
      expect(result.contained, `${hostile.name}: ${result.why}`).toBe(true);
    });
  }

  it('the study goes on: a clean trial afterwards is measured right, nothing was doubled, lost or left behind', async () => {
    const checks = await suite.finish();
    expect(checks, checks.detail).toMatchObject({ studyGoesOn: true, noCheatScored: true, userRepoUntouched: true, trialsRecordedOnce: true, noWorktreeLeft: true });
  });
}
