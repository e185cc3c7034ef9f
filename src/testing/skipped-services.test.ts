import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explainSkipped, serviceScripts } from './skipped-services.ts';

const ROOT = join(import.meta.dirname, '..', '..');

describe('the skipped-tests report of npm test', () => {
  it('reads each service script and the variable it exports', () => {
    const scripts = serviceScripts(ROOT);
    expect(scripts.find((script) => script.name === 'postgres')).toMatchObject({ variable: 'AUTOLAB_TEST_PG_URL', value: 'postgres://autolab:autolab@127.0.0.1:5432/autolab_test' });
    expect(scripts.find((script) => script.name === 'slurm')).toMatchObject({ variable: 'AUTOLAB_TEST_SLURM', value: '1' });
  });

  it('names the services the skipped tests need and the one command that starts them', () => {
    const skipped = [
      { file: join(ROOT, 'test/e2e/postgres.test.ts'), name: 'a study on PostgreSQL (PostgreSQL tests skipped: set AUTOLAB_TEST_PG_URL) > resumes' },
      { file: join(ROOT, 'src/executors/slurm/slurm-executor.test.ts'), name: 'SlurmExecutor > on a real single-node Slurm > runs a job' },
      { file: join(ROOT, 'examples/digits-speedrun/recipe.test.ts'), name: 'the digits speedrun recipe > trains' },
    ];
    const lines = explainSkipped(ROOT, skipped, {});
    expect(lines[0]).toBe('3 tests skipped.');
    expect(lines.join('\n')).toMatch(/ {2}postgres: 1 test in test\/e2e\/postgres\.test\.ts/);
    expect(lines.join('\n')).toMatch(/ {2}slurm: 1 test in src\/executors\/slurm\/slurm-executor\.test\.ts/);
    expect(lines.join('\n')).toMatch(/ {2}python: 1 test in examples\/digits-speedrun\/recipe\.test\.ts/);
    expect(lines.at(-1)).toMatch(/for s in postgres python slurm; do source \.ci\/services\/\$s\.sh; done' && AUTOLAB_TEST_PG_URL=postgres:\/\/autolab:autolab@127\.0\.0\.1:5432\/autolab_test AUTOLAB_TEST_SLURM=1 npm test$/);
  });

  it('says nothing without skips, and does not blame a service that is configured', () => {
    expect(explainSkipped(ROOT, [], {})).toEqual([]);
    const lines = explainSkipped(ROOT, [{ file: join(ROOT, 'test/e2e/postgres.test.ts'), name: 'a study on PostgreSQL > x' }], { AUTOLAB_TEST_PG_URL: 'postgres://x' });
    expect(lines.join('\n')).not.toContain('source .ci/services');
    expect(lines.join('\n')).toContain('1 skipped for other reasons');
  });
});
