/**
 * Feedback beyond the score (the task's `feedback:`): after the run and score phases,
 * the `profile` command runs in the worktree like the run (its sandbox, limits and GPU),
 * then the files the run (or the profile) left for the specialists are read from the
 * trial's worktree or its artifacts folder. Both are redacted and capped and recorded as the
 * `trial.feedback` audit event. The score is already measured and the artifacts sealed,
 * so nothing here can change the trial's outcome; a failing profile is only noted.
 */
import { open, realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { capFeedbackText, type FeedbackFile, type FeedbackProfile, type TrialFeedback } from '../core/trial-feedback.ts';
import type { CommandSpec, FeedbackSpec } from '../core/task.ts';
import { runPhase } from './phase-runner.ts';
import { repeatArtifacts } from './run-repeat.ts';
import type { TrialEvidence, TrialJob } from './trial-evidence.ts';

/** Bytes read of a feedback file at most (its head and tail), whatever its size. */
const MAX_READ_BYTES = 1 << 20;

/**
 * Records the trial's feedback when the task declares any and the run phase ran (the
 * files also after a crash: a warnings log explains it; the profile only after a scored
 * run). Never fails the trial: what cannot be read or recorded becomes a warning. The
 * profile's time is in the event (`durationMs`), not the trial's timings.
 */
export async function feedbackStep(job: TrialJob, evidence: TrialEvidence): Promise<TrialEvidence> {
  const spec = job.runtime.task.feedback;
  if (!spec || evidence.worktree === null || evidence.measured === null || job.signal.aborted) return evidence;
  try {
    let profile: FeedbackProfile | null = null;
    if (spec.profile && evidence.measured.failure === null) profile = await runProfile(job, spec.profile, spec.maxChars, evidence.worktree);
    // After the profile: a file it writes (py-spy's -o) is read like the run's own.
    const { files, missing } = await readFeedbackFiles(spec, [evidence.worktree, repeatArtifacts(job.runtime, job.trial.id, 0)]);
    const feedback: TrialFeedback = { files, missing, profile };
    await job.runtime.store.appendEvent(job.runtime.studyId, job.trial.id, 'trial.feedback', feedback);
  } catch (error) {
    job.runtime.events.emit('warning', { code: 'feedback_not_recorded', message: `trial #${job.trial.id}: its run feedback could not be recorded: ${error instanceof Error ? error.message : String(error)}` });
  }
  return evidence;
}

async function runProfile(job: TrialJob, profile: CommandSpec, maxChars: number, worktree: string): Promise<FeedbackProfile> {
  const result = await runPhase(
    job.runtime,
    'profile',
    profile,
    { trialId: job.trial.id, seed: job.trial.seed, cwd: worktree, logFile: job.runtime.paths.repeatFile(job.trial.id, 0, 'profile', '.log'), artifacts: repeatArtifacts(job.runtime, job.trial.id, 0) },
    job.slot,
    job.signal,
  );
  const output = result.spawnError ? `could not start: ${result.spawnError}` : result.outputTail;
  const capped = capFeedbackText(output, maxChars);
  return { command: profile.command, text: capped.text, truncated: capped.truncated, exitCode: result.exitCode, timedOut: result.timedOut, durationMs: Math.round(result.durationMs) };
}

/** The declared files, each from the first root that holds it (never outside the roots). */
export async function readFeedbackFiles(spec: FeedbackSpec, roots: readonly string[]): Promise<{ files: FeedbackFile[]; missing: string[] }> {
  const files: FeedbackFile[] = [];
  const missing: string[] = [];
  for (const path of spec.files) {
    const found = await firstInside(roots, path);
    if (found === null) {
      missing.push(path);
      continue;
    }
    const raw = await readHeadAndTail(found.file, found.size);
    const capped = capFeedbackText(raw, spec.maxChars);
    files.push({ path, text: capped.text, chars: raw.length, truncated: capped.truncated || found.size > MAX_READ_BYTES });
  }
  return { files, missing };
}

async function firstInside(roots: readonly string[], path: string): Promise<{ file: string; size: number } | null> {
  for (const root of roots) {
    const realRoot = await realpath(root).catch(() => null);
    if (realRoot === null) continue;
    const real = await realpath(join(realRoot, path)).catch(() => null);
    if (real === null || !real.startsWith(realRoot + sep)) continue; // a symlink out of the trial's folders is not followed
    const info = await stat(real).catch(() => null);
    if (info?.isFile()) return { file: real, size: info.size };
  }
  return null;
}

async function readHeadAndTail(file: string, size: number): Promise<string> {
  const handle = await open(file, 'r');
  try {
    if (size <= MAX_READ_BYTES) return (await handle.readFile()).toString('utf8');
    const half = MAX_READ_BYTES / 2;
    const head = Buffer.alloc(half);
    const tail = Buffer.alloc(half);
    await handle.read(head, 0, half, 0);
    await handle.read(tail, 0, half, size - half);
    return `${head.toString('utf8')}\n… (${size - MAX_READ_BYTES} bytes not read) …\n${tail.toString('utf8')}`;
  } finally {
    await handle.close();
  }
}
