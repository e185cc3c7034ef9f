import { describeExecutorContract } from '../../testing/executor-contract.ts';
import { LocalExecutor } from './local-executor.ts';

describeExecutorContract('LocalExecutor', {
  makeExecutor: () => new LocalExecutor(),
  capabilities: {
    // /bin/sh exports PWD.
    addedEnvironment: /^PWD$/,
    separateStdoutTail: true,
    // The kill grace (500 ms) and the pipe drain (200 ms), with room for a loaded machine.
    endLatencyMs: 5_000,
  },
});
