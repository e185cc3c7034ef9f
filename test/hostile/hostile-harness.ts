/**
 * Runs hostile cases through the real engine: a copy of the fixture recipe with a
 * hostile-ready task file (short budgets, small caps), one study, `study.submit` for each
 * case (or `autolab submit` when the case needs secrets in the driver's environment), and
 * the checks that the study went on unharmed. Shared by test/hostile and bench/hostile.ts.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { SandboxMode } from '../../src/core/task.ts';
import type { TrialRecord } from '../../src/core/trial.ts';
import { openStudy, type Study } from '../../src/engine/open-study.ts';
import { pidsHierarchy } from '../../src/executors/local/sandbox-pids.ts';
import { runCli, type CliResult } from '../../src/testing/cli.ts';
import { gitIn, makePatch, makeRecipeRepo, type FileChange } from '../../src/testing/recipe-repo.ts';
import { HOME_CREDENTIALS, type HostileCase, type HostileContext, type HostileTools, type HostileVerdict } from './hostile-cases.ts';

export const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'recipe');

/** Where the suite's recipe repositories live (`AUTOLAB_HOSTILE_DIR`, default `test-artifacts/hostile` of this checkout). */
export const HOSTILE_WORK_DIR = process.env.AUTOLAB_HOSTILE_DIR ?? join(import.meta.dirname, '..', '..', 'test-artifacts', 'hostile');

/** Budgets of the hostile task: short, so that the whole suite stays within a few minutes. */
export const HOSTILE_LIMITS = { runTimeoutMs: 3_000, scoreTimeoutMs: 3_000, outputCapBytes: 64 * 1024, maxProcesses: 64, maxFileBytes: 1024 * 1024 } as const;

/**
 * The fixture's score with what evaluator code often has: a sloppy validity check (an
 * out-of-range model scores `false`, not a number) and a report written next to it.
 */
const SLOPPY_SCORE_TAIL = [
  "const loss = model.x > 1e6 ? false : (model.x - target) ** 2;",
  "writeFileSync(`${process.env.AUTOLAB_SCORE_DIR}/report.txt`, `loss ${loss}\\n`);",
  'console.log(JSON.stringify({ loss, size: statSync(path).size }));',
].join('\n');

/** The task's own legality check: refuses a marker in train.js. Not a protected path: the evaluator's checkout runs the baseline's copy. */
const LEGALITY_CHECK = ['if grep -q "FORBIDDEN""_MARKER" "$AUTOLAB_WORKTREE/train.js"; then echo "train.js carries the forbidden marker"; exit 1; fi', 'exit 0'].join('\n');

export interface HostileResult extends HostileVerdict {
  name: string;
  threat: string;
  trialId: number | null;
  label: string | null;
  score: number | null;
  elapsedMs: number;
  skipped: string | null;
}

/** The checks after all cases: the study went on, and nothing leaked into it or the host. */
export interface SuiteChecks {
  /** A clean trial after the hostile ones was measured right and became the incumbent. */
  studyGoesOn: boolean;
  /** No trial got the score a successful cheat would get (0). */
  noCheatScored: boolean;
  /** The user's repository: same HEAD, clean working copy. */
  userRepoUntouched: boolean;
  /** Every trial is finished, numbered 0..n-1 without gaps. */
  trialsRecordedOnce: boolean;
  /** No worktree of the study is left. */
  noWorktreeLeft: boolean;
  detail: string;
}

export class HostileSuite {
  private constructor(
    readonly sandbox: SandboxMode,
    readonly study: Study,
    readonly ctx: HostileContext,
    private readonly server: Server,
    private readonly cleanupRepo: () => Promise<void>,
    private readonly headBefore: string,
  ) {}

  /** A fresh recipe repo and study with the hostile task file; the baseline is measured. */
  static async open(sandbox: SandboxMode): Promise<HostileSuite> {
    // Not under /tmp: the sandbox gives /tmp its own empty copy, which would hide the user's folder whole and make the cases about it vacuous.
    const repo = await makeRecipeRepo(FIXTURE, HOSTILE_WORK_DIR);
    const l = HOSTILE_LIMITS;
    const tag = `h${randomBytes(5).toString('hex')}`;
    const serial = String(100_000 + Math.floor(Math.random() * 900_000));
    const taskFile = join(repo.dir, 'autolab.yaml');
    const yaml = readFileSync(taskFile, 'utf8')
      // No preflight: `node --check` runs no trial code, and every case would pay for it.
      .replace(/^preflight: .*\n/m, '')
      .replace(
        'run: { command: node train.js, timeout: 3s }',
        `run: { command: node train.js, timeout: ${l.runTimeoutMs / 1000}s, output_cap: ${l.outputCapBytes}, max_processes: ${l.maxProcesses}, max_file_size: ${l.maxFileBytes} }`,
      )
      .replace('score: { command: node score.js, timeout: 3s }', `score: { command: node score.js, timeout: ${l.scoreTimeoutMs / 1000}s }\nlegality: { command: sh check.sh, timeout: 10s }`);
    if (!yaml.includes('max_processes') || !yaml.includes('check.sh') || yaml.includes('preflight')) throw new Error('the fixture task file changed: cannot set the hostile budgets');
    writeFileSync(taskFile, `${yaml}sandbox: ${sandbox}\nexpose: [~/hostile-exposed]\n`);
    const scoreFile = join(repo.dir, 'score.js');
    const score = readFileSync(scoreFile, 'utf8');
    const lastLine = 'console.log(JSON.stringify({ loss: (model.x - target) ** 2, size: statSync(path).size }));';
    if (!score.includes(lastLine)) throw new Error('the fixture score changed: cannot make it sloppy');
    writeFileSync(scoreFile, score.replace('import { readFileSync, statSync }', 'import { readFileSync, statSync, writeFileSync }').replace(lastLine, SLOPPY_SCORE_TAIL));
    writeFileSync(join(repo.dir, 'check.sh'), `${LEGALITY_CHECK}\n`);
    // Secrets of the user's folder that are not committed: .env files (ignored) and a token in the remote's URL.
    writeFileSync(join(repo.dir, '.gitignore'), '.env\n*.env\n');
    gitIn(repo.dir, ['add', '-A']);
    gitIn(repo.dir, ['commit', '-qm', 'hostile budgets, a sloppy score, a legality check']);
    writeFileSync(join(repo.dir, '.env'), `OPENAI_API_KEY=envfile-${tag}-dotenv\n`);
    mkdirSync(join(repo.dir, 'deploy'));
    writeFileSync(join(repo.dir, 'deploy', 'prod.env'), `DB_PASSWORD=envfile-${tag}-prod\n`);
    gitIn(repo.dir, ['remote', 'add', 'origin', `https://ci:gitcred-${tag}@git.example.invalid/recipe.git`]);
    const headBefore = gitIn(repo.dir, ['rev-parse', 'HEAD']).trim();

    let connections = 0;
    const server = createServer((socket) => {
      connections += 1;
      socket.on('error', () => undefined);
      socket.end('{"target": 3}\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;

    const fakeHome = join(repo.dir, '..', `${tag}-home`);
    mkdirSync(join(fakeHome, '.ssh'), { recursive: true });
    writeFileSync(join(fakeHome, '.ssh', `id_hostile_${tag}`), `-----BEGIN KEY----- hostile-${tag}-ssh -----END KEY-----\n`);
    for (const path of HOME_CREDENTIALS) {
      mkdirSync(dirname(join(fakeHome, path)), { recursive: true });
      writeFileSync(join(fakeHome, path), `secret-${tag}-${path.replace(/[^\w.-]/g, '_')}\n`);
    }
    mkdirSync(join(fakeHome, 'hostile-exposed'));
    writeFileSync(join(fakeHome, 'hostile-exposed', 'readme.txt'), `exposed-${tag}\n`);
    const victimFile = `/tmp/autolab-hostile-${tag}-victim`;
    writeFileSync(victimFile, `victim-${tag}`);

    const study = await openStudy(repo.dir, { create: true });
    const stateDir = join(repo.dir, '.autolab');
    const evaluatorFingerprint = async () => {
      const hash = createHash('sha256');
      for (const file of [join(stateDir, 'evaluators', 'fixture', 'score.js'), join(stateDir, 'studies', 'fixture', 'holdout', 'target.json')]) {
        hash.update(await readFile(file).catch(() => Buffer.from('missing')));
      }
      return hash.digest('hex');
    };
    const ctx: HostileContext = {
      repoDir: repo.dir,
      stateDir,
      train: readFileSync(join(repo.dir, 'train.js'), 'utf8'),
      port,
      connections: () => connections,
      tag,
      serial,
      fakeHome,
      victimFile,
      processLimitWorks: (await pidsHierarchy()) !== null || (process.platform === 'linux' && process.getuid?.() !== 0),
      runTimeoutMs: l.runTimeoutMs,
      scoreTimeoutMs: l.scoreTimeoutMs,
      outputCapBytes: l.outputCapBytes,
      evaluatorFingerprint,
      initialFingerprint: '',
      liveProcesses,
      exists: (path) => existsSync(path),
      runLog: (trialId) => {
        try {
          return readFileSync(join(stateDir, 'studies', 'fixture', 'trials', String(trialId), 'run.log'), 'utf8');
        } catch {
          return '';
        }
      },
    };
    const cleanup = async () => {
      await rm(repo.dir, { recursive: true, force: true });
      await rm(fakeHome, { recursive: true, force: true });
      for (const leftover of [victimFile, `/tmp/autolab-hostile-${tag}-tmp`, `/tmp/autolab-hostile-${tag}-link`, join(process.env.HOME ?? '/root', `.autolab-hostile-${tag}`)]) {
        await rm(leftover, { force: true });
      }
    };
    const suite = new HostileSuite(sandbox, study, ctx, server, cleanup, headBefore);
    try {
      const { baseline } = await study.prepare(new AbortController().signal);
      if (baseline.score !== 9) throw new Error(`the baseline scored ${baseline.score}, expected 9`);
      ctx.initialFingerprint = await evaluatorFingerprint();
    } catch (error) {
      await suite.close();
      throw error;
    }
    return suite;
  }

  /** Runs one case (a trial on the baseline, judged; or its scenario) and returns its verdict. */
  async run(hostile: HostileCase): Promise<HostileResult> {
    const base = { name: hostile.name, threat: hostile.threat };
    const skipped = hostile.skipReason?.(this.ctx) ?? null;
    if (skipped !== null) return { ...base, contained: false, why: skipped, layer: null, trialId: null, label: null, score: null, elapsedMs: 0, skipped };
    const tools = this.tools();
    const started = performance.now();
    if (hostile.scenario) {
      const { trial, ...verdict } = await hostile.scenario(tools);
      return { ...base, ...verdict, trialId: trial?.id ?? null, label: trial?.label ?? null, score: trial?.score ?? null, elapsedMs: Math.round(performance.now() - started), skipped: null };
    }
    const patch = hostile.patch ? hostile.patch(this.ctx) : await makePatch(this.ctx.repoDir, hostile.edit!(this.ctx));
    let trial: TrialRecord;
    if (hostile.driverEnv) {
      const patchFile = join(tmpdir(), `${this.ctx.tag}-${hostile.name}.patch`);
      writeFileSync(patchFile, patch);
      const result = await tools.cli(['submit', patchFile, '--hypothesis', hostile.threat, '--parent', '0', '--json'], hostile.driverEnv(this.ctx));
      await rm(patchFile, { force: true });
      // submit's exit code is the outcome (0 kept, 3 discarded, 4-6 failed); 1 and 2 mean no trial was recorded.
      if (result.code === null || result.code === 1 || result.code === 2) throw new Error(`autolab submit failed (${result.code}): ${result.stderr}`);
      trial = await this.study.trial((JSON.parse(result.stdout) as { id: number }).id);
    } else if (hostile.driverHome) {
      trial = await withHome(this.ctx.fakeHome, () => tools.submit(patch, { hypothesis: hostile.threat }));
    } else {
      trial = await tools.submit(patch, { hypothesis: hostile.threat });
    }
    const elapsedMs = performance.now() - started;
    const verdict = await hostile.judge!(trial, this.ctx, elapsedMs, tools);
    return { ...base, ...verdict, trialId: trial.id, label: trial.label, score: trial.score, elapsedMs: Math.round(elapsedMs), skipped: null };
  }

  private tools(): HostileTools {
    const { ctx, study } = this;
    return {
      ctx,
      study,
      submit: async (edit, options = {}) => {
        const patch = typeof edit === 'string' ? edit : await makePatch(ctx.repoDir, edit as Record<string, FileChange>);
        const proposal = { specialist: 'manual', parent: options.parent ?? 0, hypothesis: options.hypothesis ?? 'a hostile edit', edit: { kind: 'patch' as const, patch } };
        return study.submit(proposal, new AbortController().signal);
      },
      cli: (args: string[], env: Record<string, string> = {}): Promise<CliResult> => runCli([...args, '--task', ctx.repoDir], { env }),
      bytesUnder,
    };
  }

  /** A clean trial after the hostile ones, then the checks on the study, the repo and the host. */
  async finish(): Promise<SuiteChecks> {
    const patch = await makePatch(this.ctx.repoDir, { 'config.json': '{ "x": 2.5 }\n' });
    const clean = await this.study.submit({ specialist: 'manual', parent: 0, hypothesis: 'a clean trial after the hostile ones', edit: { kind: 'patch', patch } }, new AbortController().signal);
    const incumbent = await this.study.incumbent();
    const trials = await this.study.trials();
    const studyGoesOn = clean.status === 'kept' && clean.score === 0.25 && incumbent?.id === clean.id;
    const noCheatScored = trials.every((trial) => trial.score !== 0);
    const userRepoUntouched =
      gitIn(this.ctx.repoDir, ['rev-parse', 'HEAD']).trim() === this.headBefore && gitIn(this.ctx.repoDir, ['status', '--porcelain']).trim() === '';
    const trialsRecordedOnce =
      trials.map((trial) => trial.id).join(',') === [...Array(trials.length).keys()].join(',') && trials.every((trial) => trial.finishedAt !== null);
    const worktrees = join(this.ctx.stateDir, 'worktrees');
    const left = existsSync(worktrees) ? readdirSync(worktrees).filter((name) => name.startsWith('fixture+')) : [];
    const noWorktreeLeft = left.length === 0;
    const detail = [
      `clean trial #${clean.id}: ${clean.status} score ${clean.score}; incumbent #${incumbent?.id}`,
      noCheatScored ? 'no trial scored 0' : `trials scored 0: ${trials.filter((trial) => trial.score === 0).map((trial) => `#${trial.id}`).join(', ')}`,
      userRepoUntouched ? 'user repo untouched' : `user repo changed: ${gitIn(this.ctx.repoDir, ['status', '--porcelain']).trim()}`,
      noWorktreeLeft ? 'no worktree left' : `worktrees left: ${left.join(', ')}`,
    ].join('; ');
    return { studyGoesOn, noCheatScored, userRepoUntouched, trialsRecordedOnce, noWorktreeLeft, detail };
  }

  async close(): Promise<void> {
    await this.study.close().catch(() => undefined);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.cleanupRepo();
  }
}

/** Runs `work` with the driver's `HOME` set to `home` (the sandbox hides the driver's home and the command's). */
async function withHome<T>(home: string, work: () => Promise<T>): Promise<T> {
  const before = process.env.HOME;
  process.env.HOME = home;
  try {
    return await work();
  } finally {
    if (before === undefined) delete process.env.HOME;
    else process.env.HOME = before;
  }
}

/** Bytes under a path, links not followed (0 when it is missing). */
function bytesUnder(path: string): number {
  let stats;
  try {
    stats = lstatSync(path);
  } catch {
    return 0;
  }
  if (!stats.isDirectory()) return stats.size;
  return readdirSync(path).reduce((sum, name) => sum + bytesUnder(join(path, name)), 0);
}

/** Live (not zombie) processes whose command line contains `needle`. */
export function liveProcesses(needle: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const state = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.[0];
      if (cmdline.includes(needle) && state !== 'Z') found.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}
