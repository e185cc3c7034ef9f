import { describe, it } from 'vitest';
import { describeExecutorContract } from '../../testing/executor-contract.ts';
import { SlurmExecutor } from './slurm-executor.ts';
import { slurmForTests } from '../../testing/slurm-for-tests.ts';

const slurm = slurmForTests();

// In CI (or with AUTOLAB_TEST_SLURM=1) a missing Slurm fails the run; elsewhere the contract is left out.
if (!slurm.available && slurm.required) {
  describe('Executor contract: SlurmExecutor', () => {
    it('has a real Slurm to test against (CI starts one with .ci/services/slurm.sh)', () => {
      throw new Error(slurm.problem ?? 'Slurm is missing');
    });
  });
}

if (slurm.available) {
  describeExecutorContract('SlurmExecutor (a real single-node Slurm)', {
    makeExecutor: () => new SlurmExecutor({ pollIntervalMs: 250, cancelWaitMs: 20_000 }),
    capabilities: {
      // The job's environment: the request's, plus Slurm's own variables and the GPUs it bound.
      addedEnvironment: /^(PWD|SLURM_\w+|CUDA_VISIBLE_DEVICES|GPU_DEVICE_ORDINAL|ROCR_VISIBLE_DEVICES)$/,
      // Slurm writes stdout and stderr of a job into one file.
      separateStdoutTail: false,
      // A poll (250 ms), scancel, and the job leaving the queue, on a loaded node.
      endLatencyMs: 30_000,
    },
  });
}
