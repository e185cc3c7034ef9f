import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeBwrap } from '../../src/executors/local/sandbox-probe.ts';
import { HOSTILE_CASES } from './hostile-cases.ts';
import { HostileSuite } from './hostile-harness.ts';

const probe = await probeBwrap();
if (process.env.CI === 'true' && !probe.available) {
  throw new Error(`CI=true but bubblewrap cannot sandbox here (${probe.reason}); .ci/services/bwrap.sh installs it`);
}

/**
 * Every hostile case, submitted through the real engine into one sandboxed study: each
 * ends with the right label, within its budget, scored as what it really is, leaving
 * nothing on the host; afterwards the study goes on unharmed.
 */
describe.skipIf(!probe.available)('hostile trials under the bubblewrap sandbox', () => {
  let suite: HostileSuite;
  beforeAll(async () => {
    suite = await HostileSuite.open('bwrap');
  });
  afterAll(async () => {
    await suite?.close();
  });

  for (const hostile of HOSTILE_CASES) {
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
});
