import { describe } from 'vitest';
import { UNSANDBOXED_TEST_CASES } from './hostile-cases.ts';
import { hostileSuite } from './hostile-suite.ts';

/**
 * Where bubblewrap is unavailable (or `sandbox: none`), the artifact seal and the
 * budgets still contain what they contain under the sandbox: the cases whose layer
 * could hide behind the sandbox, in one study without it.
 */
describe('hostile trials without a sandbox: the seal and the limits hold alone', () => {
  hostileSuite('none', UNSANDBOXED_TEST_CASES);
});
