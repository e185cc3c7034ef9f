import { beforeAll } from 'vitest';
import { describeExecutorContract } from '../../testing/executor-contract.ts';
import { LocalExecutor } from './local-executor.ts';
import { sharedLauncher } from './process-launcher.ts';

const capabilities = {
  // /bin/sh exports PWD.
  addedEnvironment: /^PWD$/,
  separateStdoutTail: true,
  // The kill grace (500 ms) and the pipe drain (200 ms), with room for a loaded machine.
  endLatencyMs: 5_000,
};

// Commands started by the process launcher (once it is up: before, the executor spawns them itself)...
beforeAll(async () => {
  await sharedLauncher().warmUp();
});
describeExecutorContract('LocalExecutor', { makeExecutor: () => new LocalExecutor(), capabilities });

// ... and by the driver itself (the fallback where the launcher cannot start).
describeExecutorContract('LocalExecutor without the launcher', { makeExecutor: () => new LocalExecutor({ launcher: false }), capabilities });
