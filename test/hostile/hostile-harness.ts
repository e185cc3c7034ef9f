/**
 * Runs hostile cases through the real engine: a copy of the fixture recipe with a
 * hostile-ready task file (short budgets, small caps), one study, `study.submit` for each
 * case (or `autolab submit` when the case needs secrets in the driver's environment), and
 * the checks that the study went on unharmed. Shared by test/hostile and bench/hostile.ts.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { SandboxMode } from '../../src/core/task.ts';
import type { TrialRecord } from '../../src/core/trial.ts';
import { openStudy, type Study } from '../../src/engine/open-study.ts';
import { pidsHierarchy } from '../../src/executors/local/sandbox-pids.ts';
import { runCli } from '../../src/testing/cli.ts';
import { gitIn, makePatch, makeRecipeRepo } from '../../src/testing/recipe-repo.ts';
import type { HostileCase, HostileContext, HostileVerdict } from './hostile-cases.ts';

export const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'recipe');

/** Budgets of the hostile task: short, so the whole suite stays well under a minute. */
export const HOSTILE_LIMITS = { runTimeoutMs: 3_000, outputCapBytes: 64 * 1024, maxProcesses: 64, maxFileBytes: 1024 * 1024 } as const;

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
    const repo = await makeRecipeRepo(FIXTURE);
    const taskFile = join(repo.dir, 'autolab.yaml');
    const l = HOSTILE_LIMITS;
    const yaml = readFileSync(taskFile, 'utf8').replace(
      'run: { command: node train.js, timeout: 3s }',
      `run: { command: node train.js, timeout: ${l.runTimeoutMs / 1000}s, output_cap: ${l.outputCapBytes}, max_processes: ${l.maxProcesses}, max_file_size: ${l.maxFileBytes} }`,
    );
    if (!yaml.includes('max_processes')) throw new Error('the fixture task file changed: cannot set the hostile budgets');
    writeFileSync(taskFile, `${yaml}sandbox: ${sandbox}\n`);
    gitIn(repo.dir, ['commit', '-qam', 'hostile budgets']);
    const headBefore = gitIn(repo.dir, ['rev-parse', 'HEAD']).trim();

    let connections = 0;
    const server = createServer((socket) => {
      connections += 1;
      socket.on('error', () => undefined);
      socket.end('{"target": 3}\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;

    const tag = `h${randomBytes(5).toString('hex')}`;
    const serial = String(100_000 + Math.floor(Math.random() * 900_000));
    const fakeHome = join(repo.dir, '..', `${tag}-home`);
    mkdirSync(join(fakeHome, '.ssh'), { recursive: true });
    writeFileSync(join(fakeHome, '.ssh', `id_hostile_${tag}`), `-----BEGIN KEY----- hostile-${tag}-ssh -----END KEY-----\n`);

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
      processLimitWorks: (await pidsHierarchy()) !== null || (process.platform === 'linux' && process.getuid?.() !== 0),
      runTimeoutMs: l.runTimeoutMs,
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
      for (const leftover of [`/tmp/autolab-hostile-${tag}-tmp`, `/tmp/autolab-hostile-${tag}-link`, join(process.env.HOME ?? '/root', `.autolab-hostile-${tag}`)]) {
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

  /** Submits one case as a trial on the baseline and judges what was recorded. */
  async run(hostile: HostileCase): Promise<HostileResult> {
    const base = { name: hostile.name, threat: hostile.threat };
    const skipped = hostile.skipReason?.(this.ctx) ?? null;
    if (skipped !== null) return { ...base, contained: false, why: skipped, trialId: null, label: null, score: null, elapsedMs: 0, skipped };
    const patch = await makePatch(this.ctx.repoDir, hostile.edit(this.ctx));
    const started = performance.now();
    let trial: TrialRecord;
    if (hostile.driverEnv) {
      const patchFile = join(tmpdir(), `${this.ctx.tag}-${hostile.name}.patch`);
      writeFileSync(patchFile, patch);
      const result = await runCli(['submit', patchFile, '--hypothesis', hostile.threat, '--parent', '0', '--json', '--task', this.ctx.repoDir], { env: hostile.driverEnv(this.ctx) });
      await rm(patchFile, { force: true });
      // submit's exit code is the outcome (0 kept, 3 discarded, 4-6 failed); 1 and 2 mean no trial was recorded.
      if (result.code === null || result.code === 1 || result.code === 2) throw new Error(`autolab submit failed (${result.code}): ${result.stderr}`);
      trial = await this.study.trial((JSON.parse(result.stdout) as { id: number }).id);
    } else {
      trial = await this.study.submit({ specialist: 'manual', parent: 0, hypothesis: hostile.threat, edit: { kind: 'patch', patch } }, new AbortController().signal);
    }
    const elapsedMs = performance.now() - started;
    const verdict = await hostile.judge(trial, this.ctx, elapsedMs);
    return { ...base, ...verdict, trialId: trial.id, label: trial.label, score: trial.score, elapsedMs: Math.round(elapsedMs), skipped: null };
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
