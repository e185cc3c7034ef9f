import { describe, it } from 'vitest';
import type { SlurmForTests } from './slurm-for-tests.ts';

/**
 * Declares the tests that need a real Slurm: `body` runs as a `describe` block when the
 * cluster answers; when it is required (CI, `AUTOLAB_TEST_SLURM=1`) but missing, one
 * failing test says why and how to start it, so they never skip silently.
 *
 * @example
 * const slurm = slurmForTests();
 * onRealSlurm(slurm, () => { it('runs a job', async () => { ... }); });
 */
export function onRealSlurm(slurm: SlurmForTests, body: () => void, options: { name?: string; alsoNeeds?: boolean } = {}): void {
  if (!slurm.available && slurm.required) {
    it('has a real Slurm to run on (CI starts one with .ci/services/slurm.sh)', () => {
      throw new Error(slurm.problem ?? 'Slurm is missing');
    });
  }
  describe.runIf(slurm.available && (options.alsoNeeds ?? true))(options.name ?? 'on a real single-node Slurm', body);
}
