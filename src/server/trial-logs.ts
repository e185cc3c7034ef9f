/**
 * A trial's full logs (`.autolab/studies/<study>/trials/<id>/{preflight,run,score}.log`
 * and any other `*.log` the evaluator wrote there), listed and read with a size cap.
 */
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AutolabError } from '../core/errors.ts';
import { cleanTrialText } from '../core/redact.ts';
import type { StudyPaths } from '../layout/autolab-layout.ts';

export interface TrialLogFile {
  /** The file name, e.g. `run.log`. */
  name: string;
  bytes: number;
}

const LOG_NAME = /^[A-Za-z0-9_.-]+\.log$/;
const PHASE_ORDER = ['legality.log', 'preflight.log', 'run.log', 'score.log'];
/** The most of one log the API returns at once (its end). */
export const MAX_LOG_BYTES = 4 * 1024 * 1024;

/** The log files of a trial, in phase order; empty when its folder is not on this machine. */
export async function listTrialLogs(paths: StudyPaths | null, trialId: number): Promise<TrialLogFile[]> {
  if (paths === null) return [];
  const dir = paths.trial(trialId);
  const names = await readdir(dir).catch(() => [] as string[]);
  const logs: TrialLogFile[] = [];
  for (const name of names.filter((entry) => LOG_NAME.test(entry))) {
    const info = await stat(join(dir, name)).catch(() => null);
    if (info?.isFile()) logs.push({ name, bytes: info.size });
  }
  const rank = (name: string) => {
    const index = PHASE_ORDER.indexOf(name);
    return index === -1 ? PHASE_ORDER.length : index;
  };
  return logs.sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
}

/**
 * The last `maxBytes` (at most MAX_LOG_BYTES) of log `name` of a trial, and how many
 * bytes were left out before it. Secrets and terminal control sequences are removed
 * (`cleanTrialText`): the log is a trial's output.
 */
export async function readTrialLog(paths: StudyPaths | null, trialId: number, name: string, maxBytes = MAX_LOG_BYTES): Promise<{ text: string; omittedBytes: number }> {
  if (!LOG_NAME.test(name)) throw new AutolabError('UsageError', `'${name}' is not a log name`, { hint: 'log names look like run.log' });
  if (paths === null) throw new AutolabError('NotFound', "this study's log folder is not on this machine");
  const file = join(paths.trial(trialId), name);
  const handle = await open(file, 'r').catch(() => null);
  if (handle === null) throw new AutolabError('NotFound', `trial #${trialId} has no ${name}`);
  try {
    const { size } = await handle.stat();
    const want = Math.max(0, Math.min(maxBytes, MAX_LOG_BYTES, size));
    const buffer = Buffer.alloc(want);
    await handle.read(buffer, 0, want, size - want);
    return { text: cleanTrialText(buffer.toString('utf8')), omittedBytes: size - want };
  } finally {
    await handle.close();
  }
}
