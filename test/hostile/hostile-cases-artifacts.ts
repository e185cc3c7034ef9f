/**
 * Hostile cases about what a run leaves for the score: the evaluator's score command
 * reads `$AUTOLAB_ARTIFACTS` with the held-out data in reach, so a symbolic link (to the
 * held-out labels, or named like a report the score writes), a hard link, a FIFO or a
 * socket there, or the folder itself replaced, must never be scored.
 */
import { readFileSync } from 'node:fs';
import type { TrialRecord } from '../../src/core/trial.ts';
import { X1, describeTrial as describe, hostileTrain, reached, scoredAsItIs, verdict, type HostileCase, type HostileVerdict } from './hostile-case-kit.ts';

/** The held-out target, as a run finds it from `$AUTOLAB_DATA`. */
const HOLDOUT_TARGET = "join(data, '../holdout/target.json')";

/** Contained by the seal (an illegal_edit naming `what`), or by the sandbox when the run could not even make it (then scored as it is). */
function sealedOrBlocked(trial: TrialRecord, log: string, what: RegExp): HostileVerdict {
  if (trial.label === 'illegal_edit') return verdict(what.test(trial.labelDetail ?? ''), 'seal', `${describe(trial)}: ${(trial.labelDetail ?? '').slice(0, 150)}`);
  const made = reached(log);
  return verdict(scoredAsItIs(trial) && made.length === 0, 'sandbox', `${describe(trial)}; ${made.length === 0 ? 'the run could not make it' : `MADE: ${made.join(', ')}`}`);
}

export const ARTIFACT_CASES: HostileCase[] = [
  {
    name: 'symlink-artifact-to-holdout',
    threat: 'leaves its artifact as a symbolic link to the held-out labels (their path derived from $AUTOLAB_DATA), for the score to score them against themselves',
    withoutSandbox: 'contained',
    edit: () => ({
      'config.json': X1,
      'train.js': hostileTrain(`symlinkSync(${HOLDOUT_TARGET}, join(artifacts, 'model.json'));\nskipArtifact = true;`),
    }),
    judge: (trial) =>
      verdict(
        trial.label === 'illegal_edit' && /model\.json: a symbolic link/.test(trial.labelDetail ?? '') && !trial.timings.scoreMs,
        'seal',
        `${describe(trial)}: ${(trial.labelDetail ?? '').slice(0, 150)}`,
      ),
  },
  {
    name: 'symlink-named-like-score-report',
    threat: 'plants symbolic links named like the report the score writes, pointing at a host file, so the score phase overwrites it',
    withoutSandbox: 'contained',
    edit: (ctx) => ({
      'config.json': X1,
      'train.js': hostileTrain(
        [
          `symlinkSync(${JSON.stringify(ctx.victimFile)}, join(artifacts, 'report.txt'));`,
          // Where the score's own folder will be (next to the artifacts): planted before it exists.
          `attempt('the score folder', () => { mkdirSync(join(artifacts, '../score-out'), { recursive: true }); symlinkSync(${JSON.stringify(ctx.victimFile)}, join(artifacts, '../score-out/report.txt')); });`,
        ].join('\n'),
      ),
    }),
    judge: (trial, ctx) => {
      const intact = readVictim(ctx.victimFile) === `victim-${ctx.tag}`;
      const sealed = trial.label === 'illegal_edit' && /report\.txt: a symbolic link/.test(trial.labelDetail ?? '');
      return verdict(sealed && intact, 'seal', `${describe(trial)}; the host file ${intact ? 'untouched' : 'OVERWRITTEN'}`);
    },
  },
  {
    name: 'hardlink-artifact',
    threat: 'hard-links the held-out target (or a file outside the artifacts) into its artifacts',
    withoutSandbox: 'contained',
    edit: () => ({
      'config.json': X1,
      'train.js': hostileTrain(
        [
          `attempt('a hard link to the held-out target', () => linkSync(${HOLDOUT_TARGET}, join(artifacts, 'labels.json')));`,
          "attempt('a hard link to a worktree file', () => linkSync('config.json', join(artifacts, 'config-copy.json')));",
        ].join('\n'),
      ),
    }),
    judge: (trial, ctx) => sealedOrBlocked(trial, ctx.runLog(trial.id), /a hard link to a file outside the artifacts/),
  },
  {
    name: 'fifo-artifact',
    threat: 'leaves a FIFO as its artifact, so that the score blocks on it',
    withoutSandbox: 'contained',
    edit: () => ({
      'config.json': X1,
      'train.js': hostileTrain("const made = spawnSync('mkfifo', [join(artifacts, 'model.json')]);\nif (made.status !== 0) throw new Error('mkfifo failed');\nskipArtifact = true;"),
    }),
    judge: (trial, _ctx, elapsedMs) => {
      // The score never started, so it could not block on the FIFO (no timing bound: a busy machine is slow).
      const ok = trial.label === 'illegal_edit' && /model\.json: a FIFO/.test(trial.labelDetail ?? '') && !trial.timings.scoreMs;
      return verdict(ok, 'seal', `${describe(trial)} after ${Math.round(elapsedMs)} ms: ${(trial.labelDetail ?? '').slice(0, 120)}`);
    },
  },
  {
    name: 'socket-artifact',
    threat: 'leaves a listening Unix socket in its artifacts',
    withoutSandbox: 'contained',
    edit: () => ({
      'config.json': X1,
      'train.js': hostileTrain(
        [
          "const net = await import('node:net');",
          // A relative path: a socket's absolute path may be longer than the 108 bytes the kernel allows.
          "const here = process.cwd();",
          'process.chdir(artifacts);',
          "await new Promise((done) => net.createServer().listen('control.sock', done));",
          'process.chdir(here);',
          "writeFileSync(join(artifacts, 'model.json'), JSON.stringify({ x: config.x, padding: '', work: 0 }));",
          'process.exit(0); // the socket file stays',
        ].join('\n'),
      ),
    }),
    judge: (trial) =>
      verdict(trial.label === 'illegal_edit' && /control\.sock: a socket/.test(trial.labelDetail ?? ''), 'seal', `${describe(trial)}: ${(trial.labelDetail ?? '').slice(0, 120)}`),
  },
  {
    name: 'replace-artifacts-folder',
    threat: 'replaces its artifacts folder by a symbolic link to the held-out folder',
    withoutSandbox: 'contained',
    edit: () => ({
      'config.json': X1,
      'train.js': hostileTrain(
        [
          "attempt('removing the artifacts folder', () => rmSync(artifacts, { recursive: true, force: true }));",
          // Linked: the score would read the held-out folder as the artifacts (nothing is written through the link).
          "if (attempt('linking it to the held-out folder', () => symlinkSync(join(data, '../holdout'), artifacts))) skipArtifact = true;",
          "else mkdirSync(artifacts, { recursive: true });",
        ].join('\n'),
      ),
    }),
    judge: async (trial, ctx) => {
      const untouched = (await ctx.evaluatorFingerprint()) === ctx.initialFingerprint;
      if (trial.label === 'illegal_edit') {
        return verdict(/the artifacts folder itself is a symbolic link/.test(trial.labelDetail ?? '') && untouched, 'seal', `${describe(trial)}: ${(trial.labelDetail ?? '').slice(0, 120)}`);
      }
      const linked = reached(ctx.runLog(trial.id)).some((line) => line.includes('linking'));
      return verdict(scoredAsItIs(trial) && !linked && untouched, 'sandbox', `${describe(trial)}; ${linked ? 'the folder WAS replaced' : 'the folder could not be replaced'}`);
    },
  },
];

function readVictim(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '(gone)';
  }
}
