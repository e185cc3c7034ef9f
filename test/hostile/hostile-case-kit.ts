/**
 * What every hostile case is made of: the context the harness gives it, the verdict it
 * returns (contained or not, why, and which layer of autolab stopped it), and the
 * pieces of hostile recipe code the cases share. The fixture recipe's objective is
 * (x - 3)^2 with the baseline at x = 0 (score 9); a cheating case edits `config.json`
 * to x = 1 (true score 4) and tries to turn that into x = 3 (score 0) by reading what it
 * must not read, writing what it must not write, or outliving its run.
 */
import type { TrialRecord } from '../../src/core/trial.ts';
import type { Study } from '../../src/engine/open-study.ts';
import type { CliResult } from '../../src/testing/cli.ts';
import type { FileChange } from '../../src/testing/recipe-repo.ts';

/** What the harness knows when it builds and judges a case. */
export interface HostileContext {
  /** The user's recipe repository (the task root). */
  repoDir: string;
  /** The study's state folder `<root>/.autolab`. */
  stateDir: string;
  /** The fixture's train.js, to extend. */
  train: string;
  /** A loopback TCP port the harness listens on (it answers with the held-out target). */
  port: number;
  /** How many connections that server accepted so far. */
  connections(): number;
  /** A unique token (letters and digits) for files and process names of this suite run. */
  tag: string;
  /** A unique run of digits, for process names that must be numbers (sleep 29.<serial>). */
  serial: string;
  /**
   * A home folder for the driver: a fake SSH key `.ssh/id_hostile_<tag>`, the credential
   * files of `HOME_CREDENTIALS` (each holding `secret-<tag>-<name>`), and
   * `hostile-exposed/readme.txt`, a folder the task file exposes (`expose:`).
   */
  fakeHome: string;
  /** A host file outside everything a trial may write, holding `victim-<tag>`. */
  victimFile: string;
  /** Whether a process limit bites here (a pids cgroup, or ulimit -u for a user that is not root). */
  processLimitWorks: boolean;
  /** The run budget of the hostile task (ms). */
  runTimeoutMs: number;
  /** The score budget of the hostile task (ms). */
  scoreTimeoutMs: number;
  /** The run's output cap of the hostile task (bytes). */
  outputCapBytes: number;
  /** A digest of the evaluator's score.js and the held-out target now ... */
  evaluatorFingerprint(): Promise<string>;
  /** ... and before the first case. */
  initialFingerprint: string;
  /** Live processes whose command line contains the text. */
  liveProcesses(needle: string): number[];
  /** Host paths that must not exist after the case. */
  exists(path: string): boolean;
  /** The run log of a trial, as recorded on disk. */
  runLog(trialId: number): string;
}

/** The layers of autolab a case can be stopped by (the columns of bench:hostile's table). */
export const LAYERS = {
  evaluator: 'the score is measured by the evaluator, from its own checkout',
  legality: 'legality before any compute (protected and state paths, surfaces, symlinks, the legality command from the evaluator checkout)',
  lineage: 'no trial builds on, and no export hands out, an illegal lineage',
  seal: 'sealed artifacts: regular files and folders only, read-only',
  sandbox: 'bubblewrap: read-only system, hidden state and home, no network, private /proc and /tmp',
  limits: 'budgets and limits: wall clock, output cap, processes, file size; the whole process tree killed',
  env: 'allow-listed environment: keys never reach a trial',
  admission: 'limits before storage: an oversized edit is not stored',
  metrics: 'metrics must be finite numbers',
  redactor: 'recorded text: key-shaped strings redacted, terminal control stripped',
  state: "the study's state: store, judging hash and exports guarded",
} as const;

export type Layer = keyof typeof LAYERS;

/** The outcome of one case. */
export interface HostileVerdict {
  contained: boolean;
  /** Why (not) contained, in one line. */
  why: string;
  /** The layer that stopped it (when contained). */
  layer: Layer | null;
}

/** What a scenario case may do besides submitting one edit on the baseline. */
export interface HostileTools {
  ctx: HostileContext;
  study: Study;
  /** Submits an edit (files, or a raw patch) through the engine, on `parent` (default the baseline). */
  submit(edit: Record<string, FileChange> | string, options?: { parent?: number; hypothesis?: string }): Promise<TrialRecord>;
  /** The autolab CLI as a child process, on the suite's task folder. */
  cli(args: string[], env?: Record<string, string>): Promise<CliResult>;
  /** Bytes under a path (a file or a folder, links not followed). */
  bytesUnder(path: string): number;
}

export interface HostileCase {
  name: string;
  /** What the edit tries, in the words of the issue. */
  threat: string;
  /**
   * Whether the case is contained with `sandbox: none` too: `contained` when the layers
   * that stop it do not need bubblewrap (the test suite then runs it without the sandbox
   * as well), `escapes` when only the sandbox stops it, `host` when it depends on what
   * the host offers (a pids cgroup).
   */
  withoutSandbox: 'contained' | 'escapes' | 'host';
  /** The files the edit writes (a patch against the baseline) ... */
  edit?(ctx: HostileContext): Record<string, FileChange>;
  /** ... or the patch itself (for paths a working copy must not hold). */
  patch?(ctx: HostileContext): string;
  /** Secrets in the driver's environment for this case (it is then submitted through the CLI). */
  driverEnv?(ctx: HostileContext): Record<string, string>;
  /** The driver runs with `HOME` set to the fake home while the trial runs. */
  driverHome?: boolean;
  /** Judges the recorded trial; `elapsedMs` is the wall time of the submission. */
  judge?(trial: TrialRecord, ctx: HostileContext, elapsedMs: number, tools: HostileTools): Promise<HostileVerdict> | HostileVerdict;
  /** A case of several steps (laundering, a changed task file): does everything and judges it. */
  scenario?(tools: HostileTools): Promise<HostileVerdict & { trial: TrialRecord | null }>;
  /** When it returns text, the case is not run on this machine (e.g. a fork bomb where no process limit bites). */
  skipReason?(ctx: HostileContext): string | null;
}

export const X1 = '{ "x": 1 }\n';
/** The true score of x = 1; a successful cheat would score 0. */
export const TRUE_SCORE = 4;

/** Credential files of the fake home (relative paths): the CLIs agents run, cloud tools, shell history, and one no list names. */
export const HOME_CREDENTIALS: readonly string[] = [
  '.codex/auth.json',
  '.claude/.credentials.json',
  '.config/git/credentials',
  '.kaggle/kaggle.json',
  '.pgpass',
  '.vault-token',
  '.s3cfg',
  '.config/rclone/rclone.conf',
  '.bash_history',
  '.some-new-agent/session.json',
];

/** Code that writes the artifact for x and exits (the tail of every cheating train.js). */
export function writeArtifact(x: string): string {
  return `writeFileSync(process.env.AUTOLAB_ARTIFACTS + '/model.json', JSON.stringify({ x: ${x}, padding: '', work: 0 }));\n`;
}

/**
 * A train.js that runs `body` (which may set `cheat` to the target it found, or set
 * `skipArtifact` when it left its own) and then writes its artifact. `attempt(what, fn)`
 * logs `REACHED what` or `blocked what: CODE`.
 */
export function hostileTrain(body: string): string {
  return [
    "import { readFileSync, writeFileSync, symlinkSync, linkSync, existsSync, mkdirSync, readdirSync, rmSync, openSync, writeSync } from 'node:fs';",
    "import { spawn, spawnSync } from 'node:child_process';",
    "import { resolve, join } from 'node:path';",
    "const config = JSON.parse(readFileSync('config.json', 'utf8'));",
    'const data = process.env.AUTOLAB_DATA;',
    'const artifacts = process.env.AUTOLAB_ARTIFACTS;',
    "const root = resolve(data, '../../../..');",
    'let cheat = null;',
    'let skipArtifact = false;',
    'const attempt = (what, work) => { try { const got = work(); console.log(`REACHED ${what}`); return got ?? true; } catch (error) { console.log(`blocked ${what}: ${error.code ?? error.message}`); return null; } };',
    body,
    'if (cheat !== null) console.log(`LEAK target=${cheat}`);',
    `if (!skipArtifact) ${writeArtifact('cheat ?? config.x')}`,
  ].join('\n');
}

/** A git patch that adds text files (for paths that must never be written in a working copy, such as `.autolab/`). */
export function newFilesPatch(files: Record<string, string>): string {
  return Object.entries(files)
    .map(([path, text]) => {
      const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
      return [`diff --git a/${path} b/${path}`, 'new file mode 100644', '--- /dev/null', `+++ b/${path}`, `@@ -0,0 +1,${lines.length} @@`, ...lines.map((line) => `+${line}`), ''].join('\n');
    })
    .join('');
}

export function scoredAsItIs(trial: TrialRecord): boolean {
  return trial.score === TRUE_SCORE && (trial.status === 'kept' || trial.status === 'discarded');
}

export function describeTrial(trial: TrialRecord): string {
  return `${trial.status}${trial.label ? ` ${trial.label}` : ''}, score ${trial.score}`;
}

/** The `REACHED ...` lines of a run log. */
export function reached(log: string): string[] {
  return log.match(/REACHED [^\n]*/g) ?? [];
}

/** A verdict: contained by `layer` when `ok`. */
export function verdict(ok: boolean, layer: Layer, why: string): HostileVerdict {
  return { contained: ok, why, layer: ok ? layer : null };
}
