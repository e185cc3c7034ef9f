import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openScriptedStudy, type ScriptedStudy } from '../../src/testing/loopback-llm/scripted-study.ts';
import { fixtureTaskHead } from '../../src/testing/fixture-recipe-task.ts';

/**
 * `command` specialists in a full study over the fixture recipe (baseline loss 9),
 * driven by small scripts standing in for agent CLIs: one edits inside its surface,
 * one edits a protected file, one hangs past its limit.
 */
const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'recipe');
/** The hanging CLI sleeps far longer than a loaded machine needs for the whole test, so finishing before it proves the kill. */
const HANG_SECONDS = 300.25;
const HANG_MARKER = `sleep ${HANG_SECONDS}`;

const SCRIPTS: Record<string, string> = {
  // Reads the lineage it is told about (by variable and by placeholder), edits inside its surface, writes a hypothesis.
  'edit-inside.mjs': `
import { readFileSync, writeFileSync } from 'node:fs';
const lineage = readFileSync(process.env.AUTOLAB_LINEAGE_FILE, 'utf8');
if (process.argv[2] !== process.env.AUTOLAB_LINEAGE_FILE) throw new Error('placeholder and variable disagree');
if (!lineage.includes('Baseline #0: 9')) throw new Error('the lineage does not show the baseline');
const role = readFileSync(process.argv[3], 'utf8');
writeFileSync('config.json', JSON.stringify({ x: 2 }) + '\\n');
writeFileSync(process.env.AUTOLAB_HYPOTHESIS_FILE, JSON.stringify({ hypothesis: 'x = 2: the baseline is far from the optimum', expected_delta: -8, notes: 'role: ' + role.trim().slice(0, 20) + '; surface: ' + process.env.AUTOLAB_SURFACE.split('\\n').join(',') }));
console.log('edited config.json');
`,
  // Rewrites the evaluator-owned score script; says what it did on its last output line.
  'edit-protected.mjs': `
import { writeFileSync } from 'node:fs';
writeFileSync('config.json', JSON.stringify({ x: 2.9 }) + '\\n');
writeFileSync('score.js', 'console.log(JSON.stringify({ loss: 0, size: 1 }));\\n');
console.log('working...');
console.log('rewrote the score script to report a perfect loss');
`,
  // Changes a file, starts a grandchild and never exits.
  'hang.mjs': `
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
writeFileSync('config.json', JSON.stringify({ x: 1 }) + '\\n');
spawn('sh', ['-c', '${HANG_MARKER}'], { stdio: 'inherit' });
setInterval(() => {}, 1000);
`,
};

function processesMatching(text: string): string[] {
  const out = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return out.split('\n').filter((line) => line.includes(text) && !line.includes('ps -eo'));
}

describe('command specialists', () => {
  let scripts: string;
  let s: ScriptedStudy;

  beforeAll(async () => {
    scripts = await mkdtemp(join(tmpdir(), 'autolab-cli-scripts-'));
    for (const [name, text] of Object.entries(SCRIPTS)) await writeFile(join(scripts, name), text);
    s = await openScriptedStudy(FIXTURE, () =>
      [
        ...fixtureTaskHead(),
        'surfaces:',
        '  recipe: { paths: [config.json, train.js, lib/] }',
        'specialists:',
        `  - { name: hanger, kind: command, surface: recipe, command: "node ${join(scripts, 'hang.mjs')}", timeout: 1s }`,
        `  - { name: inside, kind: command, surface: recipe, role: optimizer, command: "node ${join(scripts, 'edit-inside.mjs')} {lineage_file} {role_file}" }`,
        `  - { name: rogue, kind: command, surface: recipe, command: "node ${join(scripts, 'edit-protected.mjs')}" }`,
        'parallel: 1',
      ].join('\n'),
    );
  });

  afterAll(async () => {
    await s?.close();
    await rm(scripts, { recursive: true, force: true });
  });

  it('scores an edit inside the surface, records an edit of a protected file as illegal_edit, and kills one that hangs', async () => {
    const started = Date.now();
    const summary = await s.drive(s.specialists('hanger', 'inside', 'rogue'), { trials: 2 });
    const [inside, rogue, ...rest] = await s.trials();
    expect(rest).toEqual([]);

    expect(inside).toMatchObject({ specialist: 'inside', parent: 0, status: 'kept', score: 1, hypothesis: 'x = 2: the baseline is far from the optimum', expectedDelta: -8 });
    expect(inside!.notes).toBe('role: You own the optimisa; surface: config.json,train.js,lib/');

    expect(rogue).toMatchObject({ specialist: 'rogue', status: 'failed', label: 'illegal_edit', hypothesis: 'rewrote the score script to report a perfect loss' });
    expect(rogue!.labelDetail).toContain('score.js: protected path');
    expect(rogue!.notes).toContain('changed outside its surface: score.js is protected');
    expect(rogue!.timings.runMs).toBeUndefined();
    expect(s.warnings.map((warning) => warning.code)).toContain('command_edit_outside_surface');

    const [hung] = await s.events('proposal.none');
    expect(hung!.data).toMatchObject({ specialist: 'hanger', outcome: 'failed' });
    expect(hung!.data.reason).toMatch(/^timed out after 1 s; its process group was killed/);
    expect(processesMatching(HANG_MARKER)).toEqual([]);
    expect(summary.stopReason).toBe('--trials 2 reached');
    expect(Date.now() - started).toBeLessThan(HANG_SECONDS * 1000);
  }, 2 * HANG_SECONDS * 1000);
});
