import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'examples/**/*.test.ts'],
    // End-to-end tests start real CLIs, git and services: on a loaded 2-core machine one
    // such test took 60 s that takes 15 s idle. A hang is still caught, at 3 minutes.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // Three test files at a time on two cores: much of a file's time is spent waiting on
    // subprocesses, services and leases. With two, the full suite used about 700 CPU-s in
    // an 851 s run (the CPUs busy about 40% of the time). Four at load 25 ran a 30 s wait
    // out. `--maxWorkers N` overrides.
    maxWorkers: 3,
    // After the run: which skipped tests need a service, and the one command that starts them.
    reporters: ['default', './src/testing/skipped-services-reporter.ts'],
  },
});
