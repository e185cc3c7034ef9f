import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { AutolabError } from '../core/errors.ts';
import type { TypedEmitter, StudyEventMap } from '../core/events.ts';
import type { Executor } from '../core/executor.ts';
import type { TaskSpec } from '../core/task.ts';
import type { TrialOwner } from '../core/trial.ts';
import { phaseEnv } from '../evaluator/phase-env.ts';
import { acquireFileLock } from '../workspace/file-lock.ts';
import type { StudyPaths } from '../layout/autolab-layout.ts';
import { verifySetupManifest, writeSetupManifest } from './setup-manifest.ts';

/**
 * Runs the task's `setup` once per study (it writes `$AUTOLAB_DATA` and
 * `$AUTOLAB_HOLDOUT`), from the baseline's evaluator checkout, and records what it
 * wrote; on later opens, verifies those files are unchanged (`verifySetupManifest`).
 * Safe when two processes open the study at once: one runs it, the other waits.
 */
export async function ensureSetup(options: {
  task: TaskSpec;
  paths: StudyPaths;
  studyName: string;
  evaluatorDir: string;
  executor: Executor;
  owner: TrialOwner;
  events: TypedEmitter<StudyEventMap>;
}): Promise<void> {
  const { task, paths } = options;
  await mkdir(paths.data, { recursive: true });
  await mkdir(paths.holdout, { recursive: true });
  if (!task.setup) return;
  const release = await acquireFileLock(paths.setupDone + '.lock', task.setup.timeoutMs + 60_000);
  try {
    const done = await readFile(paths.setupDone, 'utf8').catch(() => null);
    if (done !== null) return await verifySetupManifest(paths);
    options.events.emit('setup.started', { command: task.setup.command });
    const result = await options.executor.run({
      command: task.setup.command,
      cwd: options.evaluatorDir,
      env: phaseEnv({ task, paths, studyName: options.studyName, trialId: null, seed: task.seed, phase: 'setup', gpu: null, owner: options.owner }),
      timeoutMs: task.setup.timeoutMs,
      outputCapBytes: 1 << 20,
      logFile: paths.setupLog,
    });
    if (result.exitCode !== 0 || result.timedOut || result.spawnError) {
      const why = result.spawnError ?? (result.timedOut ? `timed out after ${task.setup.timeoutMs} ms` : result.signal ? `killed by ${result.signal}` : `exited with code ${result.exitCode}`);
      throw new AutolabError('SetupError', `the task's setup command \`${task.setup.command}\` failed: ${why}\n${result.outputTail.trimEnd().split('\n').slice(-15).join('\n')}`, {
        hint: `fix the setup command (full log: ${paths.setupLog}), then run again`,
      });
    }
    await writeSetupManifest(paths);
    await writeFile(paths.setupDone, new Date().toISOString() + '\n');
    options.events.emit('setup.finished', { durationMs: Math.round(result.durationMs) });
  } finally {
    await release();
  }
}
