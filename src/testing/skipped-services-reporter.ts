/**
 * A vitest reporter (listed in vitest.config.ts beside the default one): after the run,
 * names the skipped tests that need a service and prints the one command that starts
 * those services locally (see skipped-services.ts). Silent when nothing was skipped.
 */
import { join } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';
import { explainSkipped, type SkippedTest } from './skipped-services.ts';

const ROOT = join(import.meta.dirname, '..', '..');

export default class SkippedServicesReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const skipped: SkippedTest[] = [];
    for (const module of testModules) {
      for (const test of module.children.allTests('skipped')) {
        const result = test.result();
        const note = result.state === 'skipped' && result.note ? ` (${result.note})` : '';
        skipped.push({ file: module.moduleId, name: `${test.fullName}${note}` });
      }
    }
    const lines = explainSkipped(ROOT, skipped, process.env);
    if (lines.length > 0) process.stdout.write(`\n${lines.join('\n')}\n`);
  }
}
