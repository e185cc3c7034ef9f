/**
 * Hostile cases about secrets and the record: credentials in the home folder, a `.env`
 * in the task folder and a token in the user's git config; key-shaped strings and
 * terminal escapes in the output that reaches the next model's prompt and the
 * terminal; metrics that are not numbers; edits too large to be stored.
 */
import { randomBytes } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { showCommand } from '../../src/cli/commands/inspect.ts';
import { renderLineageMarkdown } from '../../src/core/lineage-markdown.ts';
import type { TrialRecord } from '../../src/core/trial.ts';
import { PRIVATE_HOST_FOLDERS } from '../../src/evaluator/trial-isolation.ts';
import {
  HOME_CREDENTIALS,
  X1,
  describeTrial as describe,
  hostileTrain,
  newFilesPatch,
  scoredAsItIs,
  verdict,
  type HostileCase,
  type HostileContext,
} from './hostile-case-kit.ts';

/** A train.js that reads and prints each file (absolute, or relative to $HOME with `~/`). */
function printFiles(paths: readonly string[]): string {
  return hostileTrain(
    paths
      .map((path) => {
        const at = path.startsWith('~/') ? `join(process.env.HOME, ${JSON.stringify(path.slice(2))})` : JSON.stringify(path);
        return `attempt(${JSON.stringify(path)}, () => console.log('read ' + readFileSync(${at}, 'utf8')));`;
      })
      .join('\n'),
  );
}

/** The secrets a run printed (every secret of the suite holds the tag after one of these prefixes). */
function leaked(log: string, ctx: HostileContext): string[] {
  return [...new Set(log.match(new RegExp(`(secret|envfile|gitcred)-${ctx.tag}[\\w.-]*`, 'g')) ?? [])];
}

/**
 * A case that reads secrets of the user's folder: contained when none was read, and the
 * folder itself was visible (the run read `check.sh` there), so that what stopped it is
 * the hiding of those files, not a folder out of sight.
 */
function userFolderVerdict(trial: TrialRecord, ctx: HostileContext, none: string) {
  const log = ctx.runLog(trial.id);
  const secrets = leaked(log, ctx);
  const visible = log.includes(`REACHED ${join(ctx.repoDir, 'check.sh')}`);
  const why = `${describe(trial)}; ${secrets.length === 0 ? none : `READ: ${secrets.join(', ')}`}; the user's folder ${visible ? 'visible' : 'NOT visible (vacuous)'}`;
  return verdict(scoredAsItIs(trial) && secrets.length === 0 && visible, 'sandbox', why);
}

/** Why a case about the user's folder would be vacuous here: the folder lies where the sandbox shows an empty folder instead. */
function outOfSight(ctx: HostileContext): string | null {
  const hiding = [...PRIVATE_HOST_FOLDERS, homedir()].find((folder) => ctx.repoDir.startsWith(`${folder}/`));
  return hiding === undefined ? null : `not run: the recipe folder lies under ${hiding}, which the sandbox hides whole (set AUTOLAB_HOSTILE_DIR to a folder outside it)`;
}

/** Key-shaped strings a run prints, each holding a marker made of the tag. */
function keysOf(ctx: HostileContext) {
  const marker = `k3y${ctx.tag}`;
  return {
    marker,
    lines: [`OPENAI_API_KEY=sk-proj-${marker}abcdefghijklmnop`, `pushing with ghp_${marker}ABCDEFGHIJKLMNOPQRST`, '-----BEGIN OPENSSH PRIVATE KEY-----', `b3BlbnNzaC1${marker}`, '-----END OPENSSH PRIVATE KEY-----'],
    thrown: `request failed: api_key=${marker}zzzz`,
  };
}

export const RECORD_CASES: HostileCase[] = [
  {
    name: 'home-credentials',
    threat: "reads the credentials of the CLIs agents run (~/.codex/auth.json, ~/.claude/.credentials.json), git, kaggle, pgpass, vault, s3, rclone, shell history, and a file no list names",
    withoutSandbox: 'escapes',
    driverHome: true,
    edit: () => ({ 'config.json': X1, 'train.js': printFiles([...HOME_CREDENTIALS.map((path) => `~/${path}`), '~/hostile-exposed/readme.txt']) }),
    judge: (trial, ctx) => {
      const log = ctx.runLog(trial.id);
      const secrets = leaked(log, ctx);
      const exposedRead = log.includes(`exposed-${ctx.tag}`); // the allow-list works: what the task file exposes is readable
      return verdict(scoredAsItIs(trial) && secrets.length === 0 && exposedRead, 'sandbox', `${describe(trial)}; ${secrets.length === 0 ? 'no credential read' : `READ: ${secrets.join(', ')}`}; the exposed folder ${exposedRead ? 'readable' : 'NOT readable'}`);
    },
  },
  {
    name: 'task-folder-env',
    threat: "reads the task folder's .env and deploy/prod.env (not committed, so only the user's folder has them)",
    withoutSandbox: 'escapes',
    skipReason: outOfSight,
    edit: (ctx) => ({ 'config.json': X1, 'train.js': printFiles([join(ctx.repoDir, '.env'), join(ctx.repoDir, 'deploy', 'prod.env'), join(ctx.repoDir, 'check.sh')]) }),
    judge: (trial, ctx) => userFolderVerdict(trial, ctx, 'no .env read'),
  },
  {
    name: 'user-git-config-token',
    threat: "reads a token from the user repository's .git/config (a remote URL with credentials, as CI checkouts leave)",
    withoutSandbox: 'escapes',
    skipReason: outOfSight,
    edit: (ctx) => ({ 'config.json': X1, 'train.js': printFiles([join(ctx.repoDir, '.git', 'config'), join(ctx.repoDir, '.git', 'logs', 'HEAD'), join(ctx.repoDir, 'check.sh')]) }),
    judge: (trial, ctx) => userFolderVerdict(trial, ctx, 'no token read'),
  },
  {
    name: 'print-key-shaped',
    threat: 'prints key-shaped strings (an API key, a GitHub token, a private key) and crashes with one, so they reach lineage feedback, i.e. the next prompt',
    withoutSandbox: 'contained',
    edit: (ctx) => {
      const keys = keysOf(ctx);
      // Printed last, so that they are in the excerpt lineage feedback shows.
      return { 'config.json': X1, 'train.js': hostileTrain(`${keys.lines.map((line) => `console.log(${JSON.stringify(line)});`).join('\n')}\nconsole.error(${JSON.stringify(keys.thrown)});\nprocess.exit(1);`) };
    },
    judge: async (trial, ctx, _elapsed, tools) => {
      const { marker } = keysOf(ctx);
      const printed = ctx.runLog(trial.id).includes(marker); // the full log on disk keeps what the run printed
      const lineage = renderLineageMarkdown(await tools.study.lineage());
      const places = { excerpt: trial.logExcerpt, detail: trial.labelDetail ?? '', lineage };
      const found = Object.entries(places).filter(([, text]) => text.includes(marker)).map(([where]) => where);
      const redacted = lineage.includes('[redacted');
      const why = `${describe(trial)}; the run ${printed ? 'printed the keys' : 'did NOT print the keys'}; ${found.length === 0 ? 'none in the excerpt, the detail and the lineage' : `KEY IN: ${found.join(', ')}`}${redacted ? '' : '; the lineage shows NO redaction'}`;
      return verdict(trial.label === 'crash' && printed && found.length === 0 && redacted, 'redactor', why);
    },
  },
  {
    name: 'terminal-escapes',
    threat: 'prints terminal escapes (erase the line, a fake green "kept, score 0" line, a window title) in its output and its hypothesis',
    withoutSandbox: 'contained',
    scenario: async (tools) => {
      const fake = '\\u001b[2K\\r\\u001b[1A\\u001b[32m#99 kept, score 0.000000\\u001b[0m\\u001b]0;pwned\\u0007';
      const trial = await tools.submit({ 'config.json': X1, 'train.js': hostileTrain(`console.log('${fake}');\nprocess.exit(1);`) }, { hypothesis: '\u001b[2K\rkept \u001b]8;;http://x\u0007link\u001b]8;;\u0007' });
      const shown = await captureStdout(() => showCommand(String(trial.id), { path: tools.ctx.repoDir }));
      const controls = (text: string) => /[\u001b\u0007\u009b]|\r(?!\n)/.test(text);
      const printed = tools.ctx.runLog(trial.id).includes('\u001b[2K');
      const ok = printed && shown.includes(`trial #${trial.id}`) && !controls(shown) && !controls(trial.logExcerpt);
      return { ...verdict(ok, 'redactor', `${describe(trial)}; show printed ${shown.length} chars, ${controls(shown) ? 'WITH control sequences' : 'no control sequence'}`), trial };
    },
  },
  {
    name: 'metric-false',
    threat: '{"loss": false}: an artifact that makes a sloppy score print false (which a lax parser reads as 0, a perfect loss)',
    withoutSandbox: 'contained',
    edit: () => ({ 'config.json': '{ "x": 1e7 }\n' }),
    judge: (trial) =>
      verdict(trial.label === 'metric_missing' && /boolean|false/.test(trial.labelDetail ?? '') && trial.score === null, 'metrics', `${describe(trial)}: ${(trial.labelDetail ?? '').split('\n')[0]!.slice(0, 120)}`),
  },
  {
    name: 'metric-overflow',
    threat: 'an artifact that overflows the loss to Infinity (printed as null by JSON)',
    withoutSandbox: 'contained',
    edit: () => ({ 'config.json': '{ "x": -1e200 }\n' }),
    judge: (trial) =>
      verdict(trial.label === 'metric_missing' && /null/.test(trial.labelDetail ?? '') && trial.score === null, 'metrics', `${describe(trial)}: ${(trial.labelDetail ?? '').split('\n')[0]!.slice(0, 120)}`),
  },
  {
    name: 'oversized-patch',
    threat: 'a patch far over limits.max_diff_bytes, to grow the store and the private repo forever',
    withoutSandbox: 'contained',
    scenario: async (tools) => {
      const { ctx } = tools;
      const storeBefore = tools.bytesUnder(join(ctx.stateDir, 'autolab.db')) + tools.bytesUnder(join(ctx.stateDir, 'autolab.db-wal'));
      const repoBefore = tools.bytesUnder(join(ctx.stateDir, 'repo.git'));
      const blob = (randomBytes(1_800_000).toString('base64').match(/.{1,76}/g) ?? []).join('\n');
      const trial = await tools.submit(newFilesPatch({ 'lib/blob.txt': `${blob}\n` }));
      const storeGrew = tools.bytesUnder(join(ctx.stateDir, 'autolab.db')) + tools.bytesUnder(join(ctx.stateDir, 'autolab.db-wal')) - storeBefore;
      const repoGrew = tools.bytesUnder(join(ctx.stateDir, 'repo.git')) - repoBefore;
      const ok = trial.label === 'size_exceeded' && trial.edit === null && storeGrew < 256 * 1024 && repoGrew < 64 * 1024;
      return { ...verdict(ok, 'admission', `${describe(trial)}; a ${Math.round(blob.length / 1024)} KiB patch grew the store by ${Math.round(storeGrew / 1024)} KiB and the private repo by ${Math.round(repoGrew / 1024)} KiB`), trial };
    },
  },
  {
    name: 'patch-expands-over-limit',
    threat: 'a small binary patch of a file over limits.max_file_bytes, to grow the private repo',
    withoutSandbox: 'contained',
    scenario: async (tools) => {
      const { ctx } = tools;
      const repoBefore = tools.bytesUnder(join(ctx.stateDir, 'repo.git'));
      const trial = await tools.submit({ 'config.json': X1, 'lib/weights.bin': randomBytes(300_000).toString('latin1') });
      const repoGrew = tools.bytesUnder(join(ctx.stateDir, 'repo.git')) - repoBefore;
      const ok = trial.label === 'size_exceeded' && /lib\/weights\.bin/.test(trial.labelDetail ?? '') && trial.commit === null && repoGrew < 64 * 1024;
      return { ...verdict(ok, 'admission', `${describe(trial)}; the private repo grew by ${Math.round(repoGrew / 1024)} KiB`), trial };
    },
  },
];

/** What `work` writes to stdout, captured (nothing reaches the terminal). */
async function captureStdout(work: () => Promise<unknown>): Promise<string> {
  const original = process.stdout.write.bind(process.stdout);
  let text = '';
  process.stdout.write = ((chunk: string | Uint8Array) => {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }) as typeof process.stdout.write;
  try {
    await work();
  } finally {
    process.stdout.write = original;
  }
  return text;
}
