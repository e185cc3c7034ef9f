import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const EXAMPLES = join(import.meta.dirname, '..', '..', 'examples');

/**
 * `cd examples/<name> && npx autolab ...` must run this repository's autolab: a
 * package.json of the example's own would make npx look for a published package of
 * that name (an npm registry 404). --no-install: never the network.
 */
describe('npx autolab inside each example', () => {
  for (const name of readdirSync(EXAMPLES, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name)) {
    it(`runs the repository's autolab in examples/${name}`, { timeout: 120_000 }, () => {
      const result = spawnSync('npx', ['--no-install', 'autolab', '--version'], { cwd: join(EXAMPLES, name), encoding: 'utf8' });
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    });
  }
});
