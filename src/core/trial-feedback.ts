/**
 * Feedback beyond the score: what a trial's run left for the specialists (the task's
 * `feedback.files`: a profile, a warnings log, per-layer timings, a loss curve) and the
 * output of its `feedback.profile` command, redacted and capped. Recorded in the audit log
 * as `trial.feedback` and shown in the lineage feedback, so a systems specialist sees
 * where the time goes, not only that the score moved. Pure: no I/O.
 */
import { redactSecrets } from './redact.ts';

/** One file the run left, as recorded. */
export interface FeedbackFile {
  path: string;
  /** Redacted; its head and tail when it was longer than the cap. */
  text: string;
  /** The file's length in characters before the cap. */
  chars: number;
  truncated: boolean;
}

/** What the profile command printed, as recorded. */
export interface FeedbackProfile {
  command: string;
  text: string;
  truncated: boolean;
  exitCode: number | null;
  timedOut: boolean;
  durationMs: number;
}

/** A trial's feedback beyond the score (the `trial.feedback` event's data). */
export type TrialFeedback = {
  files: FeedbackFile[];
  /** Declared files the run did not leave. */
  missing: string[];
  profile: FeedbackProfile | null;
};

/**
 * `text` redacted, then cut to `maxChars`: its head (a third) and its tail (the rest),
 * where profilers and logs put their summaries.
 *
 * @example
 * capFeedbackText('x'.repeat(10_000), 300) // { text: 'xxx…\n… (9700 characters cut) …\nxxx…', truncated: true }
 */
export function capFeedbackText(text: string, maxChars: number): { text: string; truncated: boolean } {
  const clean = redactSecrets(text.replace(/\r\n?/g, '\n'));
  if (clean.length <= maxChars) return { text: clean, truncated: false };
  const head = Math.floor(maxChars / 3);
  const tail = maxChars - head;
  return { text: `${clean.slice(0, head)}\n… (${clean.length - maxChars} characters cut) …\n${clean.slice(-tail)}`, truncated: true };
}

/**
 * The feedback of `trialId` as Markdown, for the lineage feedback and `autolab show`.
 *
 * @example
 * feedbackMarkdown(4, feedback) // '### Trial #4: run feedback\n\n**profile** (`py-spy ...`, exit 0, 12.1 s):\n```\n...'
 */
export function feedbackMarkdown(trialId: number, feedback: TrialFeedback): string {
  const out: string[] = [`### Trial #${trialId}: run feedback`];
  if (feedback.profile) {
    const p = feedback.profile;
    const how = p.timedOut ? 'timed out' : `exit ${p.exitCode ?? 'by signal'}`;
    out.push('', `**profile** (\`${p.command}\`, ${how}, ${(p.durationMs / 1000).toFixed(1)} s${p.truncated ? ', cut' : ''}):`, fenced(p.text));
  }
  for (const file of feedback.files) out.push('', `**${file.path}** (${file.chars} characters${file.truncated ? ', cut' : ''}):`, fenced(file.text));
  if (feedback.missing.length > 0) out.push('', `Not left by the run: ${feedback.missing.join(', ')}.`);
  return out.join('\n');
}

function fenced(text: string): string {
  const fence = text.includes('```') ? '~~~~' : '```';
  return `${fence}\n${text.trimEnd()}\n${fence}`;
}
