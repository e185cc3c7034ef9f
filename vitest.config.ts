import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'examples/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    // After the run: which skipped tests need a service, and the one command that starts them.
    reporters: ['default', './src/testing/skipped-services-reporter.ts'],
  },
});
