/**
 * The first hour of a new user, through the real CLI: hints that work where the user
 * stands (from the project folder with a PATH, from the recipe folder, from anywhere with
 * --task), `run --more`, the drift warning, submit's exit codes and checkout.
 */
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../../src/testing/cli.ts';
import { gitIn } from '../../src/testing/recipe-repo.ts';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'recipe');
const TIMEOUT = 300_000;

/** The words of a hint as a shell would split them (plain words and '...' quoting). */
function shellWords(line: string): string[] {
  const words: string[] = [];
  for (const match of line.matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)) words.push(match[1] !== undefined ? match[1].replace(/'\\''/g, "'") : match[2]!);
  return words;
}

/** The commands after "next:" (one per line or separated by " · "), without the trailing "(...)" notes. */
function nextCommands(stdout: string): string[] {
  const start = stdout.indexOf('next: ');
  expect(start, stdout).toBeGreaterThanOrEqual(0);
  const block = stdout.slice(start + 'next: '.length).split('\n').map((line) => line.trim()).filter((line) => line.startsWith('autolab ') || line.startsWith('npx autolab '));
  return block.flatMap((line) => line.split(' · ')).map((command) => command.replace(/ \(.*\)$/, '').trim());
}

/** Runs a hint exactly as printed, in `cwd`. */
function runHint(command: string, cwd: string): Promise<CliResult> {
  const words = shellWords(command);
  expect(words[0]).toBe('autolab');
  return runCli(words.slice(1), { cwd });
}

let project: string;
let recipe: string;
let elsewhere: string;
beforeAll(async () => {
  project = await mkdtemp(join(tmpdir(), 'autolab-first-hour-'));
  recipe = join(project, 'recipe');
  elsewhere = join(project, 'elsewhere');
  await cp(FIXTURE, recipe, { recursive: true });
  await cp(FIXTURE, join(project, 'other', 'nested'), { recursive: true }); // a second task file below the project
  await mkdir(elsewhere);
  await writeFile(join(recipe, 'autolab.yaml'), (await readFile(join(recipe, 'autolab.yaml'), 'utf8')) + 'budget: { trials: 2 }\n');
  gitIn(recipe, ['init', '-q', '-b', 'main']);
  gitIn(recipe, ['add', '-A']);
  gitIn(recipe, ['commit', '-q', '-m', 'recipe']);
});
afterAll(() => rm(project, { recursive: true, force: true }));

describe('the first hour, through the CLI', () => {
  it('prints each next: hint once, and each works exactly where the user stands', { timeout: TIMEOUT }, async () => {
    // 1. From the project folder, naming the recipe as PATH.
    const run = await runCli(['run', 'recipe'], { cwd: project });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Stopped: budget of 2 trials reached');
    const hints = nextCommands(run.stdout);
    expect(hints.some((hint) => /^autolab show recipe \d+$/.test(hint))).toBe(true);
    expect(hints.some((hint) => /^autolab export recipe \d+ --patch best\.patch$/.test(hint))).toBe(true);
    expect(hints).toContain('autolab run recipe --more 10');
    for (const hint of hints) expect(run.stdout.split(hint).length - 1, hint).toBe(1);
    for (const hint of hints.filter((hint) => !hint.includes('--more'))) {
      const result = await runHint(hint, project);
      expect(result.code, `${hint}: ${result.stderr}`).toBe(0);
    }
    expect(await readFile(join(project, 'best.patch'), 'utf8')).toContain('diff --git a/config.json b/config.json');

    // 2. From the recipe folder: no PATH in the hints.
    const status = await runCli(['status'], { cwd: recipe });
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain('trials: 2 trials (');
    const best = await runCli(['best'], { cwd: recipe });
    const exportHint = /export it: (.+)$/m.exec(best.stdout)![1]!;
    expect(exportHint).toMatch(/^autolab export \d+ --patch best\.patch$/);
    expect((await runHint(exportHint, recipe)).code).toBe(0);

    // 3. From anywhere with --task: the hints carry --task.
    const fromElsewhere = await runCli(['best', '--task', recipe], { cwd: elsewhere });
    const taskHint = /export it: (.+)$/m.exec(fromElsewhere.stdout)![1]!;
    expect(taskHint).toBe(`autolab export ${/#(\d+)/.exec(fromElsewhere.stdout)![1]} --task ${recipe} --patch best.patch`);
    expect((await runHint(taskHint, elsewhere)).code).toBe(0);

    // Under npx, hints say npx autolab.
    const npx = await runCli(['best', 'recipe'], { cwd: project, env: { npm_command: 'exec' } });
    expect(npx.stdout).toMatch(/export it: npx autolab export recipe \d+ --patch best\.patch/);
  });

  it('from a folder without a task file: says so once and gives the command with the PATH that works', { timeout: TIMEOUT }, async () => {
    const show = await runCli(['show', '1'], { cwd: project });
    expect(show.code).toBe(1);
    expect(show.stderr.match(/No task file/g)).toHaveLength(1);
    expect(show.stderr).toContain('`autolab show recipe 1`');
    expect(show.stderr).toContain('`autolab show other/nested 1`');
    expect(show.stderr).not.toMatch(/init.*init/s);
    const hinted = /`(autolab show recipe 1)`/.exec(show.stderr)![1]!;
    expect((await runHint(hinted, project)).code).toBe(0);
    // show and export take PATH first, like run.
    expect((await runCli(['show', 'recipe', '0', '--json'], { cwd: project })).code).toBe(0);
    const exported = await runCli(['export', 'recipe', '--format', 'jsonl', '--out', join(project, 'trajectory.jsonl')], { cwd: project });
    expect(exported.code, exported.stderr).toBe(0);
  });

  it('run --more extends a spent budget, recorded so that status and resumes agree', { timeout: TIMEOUT }, async () => {
    const spent = await runCli(['run', 'recipe'], { cwd: project });
    expect(spent.code).toBe(0);
    expect(spent.stdout).toContain('0 trial(s)');
    expect(spent.stdout).toContain('autolab run recipe --more 10');
    const more = await runCli(['run', 'recipe', '--more', '1'], { cwd: project });
    expect(more.code, more.stderr).toBe(0);
    expect(more.stdout).toContain('budget: 3 trials (2 in the task file + 1 from `run --more`)');
    expect(more.stdout).toContain('Stopped: budget of 3 trials reached. 1 trial(s)');
    const status = await runCli(['status', 'recipe'], { cwd: project });
    expect(status.stdout).toContain('budget: 3 of 3 trials (2 in the task file + 1 from `run --more`)');
    const json = JSON.parse((await runCli(['status', 'recipe', '--json'], { cwd: project })).stdout) as { counts: { total: number }; budget: { trials: number; fileTrials: number; extraTrials: number } };
    expect(json.counts.total).toBe(3);
    expect(json.budget).toMatchObject({ trials: 3, fileTrials: 2, extraTrials: 1 });
    // A resume without --more keeps the extended budget (and the study: the judging hash did not change).
    const resumed = await runCli(['run', 'recipe'], { cwd: project });
    expect(resumed.stdout).toContain('Stopped: budget of 3 trials reached. 0 trial(s)');
  });

  it('submit exits 0 kept, 3 discarded, 4 refused, 5 failed; checkout gives the files to edit', { timeout: TIMEOUT }, async () => {
    const incumbent = JSON.parse((await runCli(['best', 'recipe', '--json'], { cwd: project })).stdout) as { id: number };
    const dir = join(project, 'hand-edit');
    const checkout = await runCli(['checkout', 'recipe', String(incumbent.id), dir], { cwd: project });
    expect(checkout.code, checkout.stderr).toBe(0);
    expect(checkout.stdout).toContain(`autolab submit recipe my.patch --parent ${incumbent.id}`);
    expect(gitIn(dir, ['log', '--format=%s']).trim().split('\n').at(-1)).toMatch(/^autolab baseline/);
    expect((await runCli(['checkout', 'recipe', String(incumbent.id), dir], { cwd: project })).stderr).toContain('is not empty');

    const submit = async (change: (text: string) => string, file = 'config.json', parent = String(incumbent.id)) => {
      gitIn(dir, ['checkout', '-q', '--', '.']);
      await writeFile(join(dir, file), change(await readFile(join(dir, file), 'utf8')));
      const patch = join(project, 'my.patch');
      await writeFile(patch, gitIn(dir, ['diff']));
      return runCli(['submit', 'recipe', 'my.patch', '--parent', parent, '--hypothesis', 'by hand'], { cwd: project });
    };
    const kept = await submit((text) => text.replace(/"x": [^\n]*/, '"x": 3'));
    expect(kept.code, kept.stdout + kept.stderr).toBe(0);
    expect(kept.stdout).toContain('kept');
    const duplicate = await submit((text) => text.replace(/"x": [^\n]*/, '"x": 3'));
    expect(duplicate.code).toBe(4);
    const discarded = await submit((text) => text.replace(/"x": [^\n]*/, '"x": 9'));
    expect(discarded.code).toBe(3);
    const crash = await submit((text) => `${text}\nthrow new Error('by hand');\n`, 'train.js');
    expect(crash.code).toBe(5);
    expect(crash.stdout).toContain('crash');
    // A patch whose context is not the parent's content (made against another version of the file).
    gitIn(dir, ['checkout', '-q', '--', '.']);
    await writeFile(join(dir, 'config.json'), '{\n  "x": 2.9\n}\n');
    const stale = gitIn(dir, ['diff']).replace(/^-(.*"x": ).*$/m, '-$112345');
    expect(stale).toContain('-  "x": 12345');
    gitIn(dir, ['checkout', '-q', '--', '.']);
    await writeFile(join(dir, 'stale.patch'), stale);
    const wrongParent = await runCli(['submit', 'recipe', join(dir, 'stale.patch'), '--parent', '0', '--hypothesis', 'stale'], { cwd: project });
    expect(wrongParent.code, wrongParent.stdout).toBe(4);
    expect(wrongParent.stdout).toContain("hunk 1 of 1 in config.json (@@ -1,3 +1,3 @@) does not match the parent's config.json");
    expect(wrongParent.stdout).toContain('`autolab checkout recipe 0 /tmp/autolab-trial-0`');
    const help = await runCli(['submit', '--help']);
    expect(help.stdout).toMatch(/Exit codes:\n {2}0 {2}evaluated and kept/);
  });

  it('a baseline that misses a gate stops the study and says what to do', { timeout: TIMEOUT }, async () => {
    const strict = join(project, 'strict-gate');
    await cp(FIXTURE, strict, { recursive: true });
    await writeFile(join(strict, 'autolab.yaml'), (await readFile(join(strict, 'autolab.yaml'), 'utf8')).replace('size <= 4096', 'size <= 1'));
    gitIn(strict, ['init', '-q', '-b', 'main']);
    gitIn(strict, ['add', '-A']);
    gitIn(strict, ['commit', '-q', '-m', 'recipe']);
    const run = await runCli(['run', 'strict-gate'], { cwd: project });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('the baseline (trial #0, the unmodified recipe) failed: gate_miss');
    expect(run.stderr).toContain('The baseline must score and pass every gate');
    expect(run.stderr).toMatch(/→ make the unmodified recipe pass the gate \(size <= 1\) or loosen `gates:` in .*autolab\.yaml, then run `autolab run strict-gate --fresh`/);
  });

  it('warns on resume when protected files drift on disk; --strict refuses', { timeout: TIMEOUT }, async () => {
    await writeFile(join(recipe, 'score.js'), (await readFile(join(recipe, 'score.js'), 'utf8')) + '\n// a fix made after the study began\n');
    const warned = await runCli(['run', 'recipe', '--trials', '1'], { cwd: project });
    expect(warned.code, warned.stderr).toBe(0);
    expect(warned.stdout).toMatch(/warning: evaluator-owned files differ on disk from the study's baseline \(commit [0-9a-f]{12}\): score\.js \(modified\)/);
    expect(warned.stdout).toContain('`autolab run recipe --fresh`');
    const strict = await runCli(['run', 'recipe', '--strict'], { cwd: project });
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain('--strict refuses to resume');
    gitIn(recipe, ['checkout', '-q', '--', 'score.js']);
    const clean = await runCli(['run', 'recipe', '--strict', '--trials', '1'], { cwd: project });
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stdout).not.toContain('warning: evaluator-owned');
  });
});
