import { describe } from 'vitest';
import { probeBwrap } from '../../src/executors/local/sandbox-probe.ts';
import { HOSTILE_CASES } from './hostile-cases.ts';
import { hostileSuite } from './hostile-suite.ts';

const probe = await probeBwrap();
if (process.env.CI === 'true' && !probe.available) {
  throw new Error(`CI=true but bubblewrap cannot sandbox here (${probe.reason}); .ci/services/bwrap.sh installs it`);
}

/**
 * Every hostile case, through the real engine into one sandboxed study: each ends with
 * the right label, within its budget, scored as what it really is, leaving nothing on
 * the host.
 */
describe.skipIf(!probe.available)('hostile trials under the bubblewrap sandbox', () => {
  hostileSuite('bwrap', HOSTILE_CASES);
});
