/**
 * The files a Slurm job of one phase command leaves beside its log file, and the job
 * record that lets a later driver adopt the job (`run.log` → `run.sbatch`, `run.status`,
 * `run.job`, `run.tail`, `run.slurm.log`).
 */
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface JobFiles {
  /** The batch script (for a job array: the group's, named after its first element). */
  script: string;
  /** What the batch script records (start, output, exit). */
  status: string;
  /** The job's id, written once `sbatch` accepted it: a later driver adopts the job by it. */
  record: string;
  /** The end of the output past the cap. */
  tail: string;
  /** Slurm's own messages about the job (its `--output`). */
  slurmMessages: string;
}

function stemOf(logFile: string): string {
  return basename(logFile).replace(/\.log$/, '');
}

/**
 * The files of the command whose log is `logFile`; `slurmMessages` is element `index`'s
 * of a job array whose first log is `groupLog`.
 *
 * @example jobFiles('/t/7/run.log').record // '/t/7/run.job'
 */
export function jobFiles(logFile: string, array?: { groupLog: string; index: number }): JobFiles {
  const dir = dirname(logFile);
  const stem = stemOf(logFile);
  const slurmMessages = array === undefined ? join(dir, `${stem}.slurm.log`) : join(dir, `${stemOf(array.groupLog)}.slurm-${array.index}.log`);
  return { script: join(dir, `${stem}.sbatch`), status: join(dir, `${stem}.status`), record: join(dir, `${stem}.job`), tail: join(dir, `${stem}.tail`), slurmMessages };
}

/** Slurm's `--output` pattern of a job array whose first log is `groupLog` (`%a`: the element). */
export function arrayMessagesPattern(groupLog: string): string {
  return join(dirname(groupLog), `${stemOf(groupLog)}.slurm-%a.log`);
}

/** What a job record says: the job (`123`, or `123_4` for an array element) and its messages file. */
export interface JobRecord {
  jobId: string;
  slurmMessages: string;
}

/** Writes the record of a submitted job. */
export async function writeJobRecord(files: JobFiles, jobId: string): Promise<void> {
  await writeFile(files.record, `${jobId} ${files.slurmMessages}\n`);
}

/** The record of the job started for this log file, or null. */
export async function readJobRecord(logFile: string): Promise<JobRecord | null> {
  const text = await readFile(jobFiles(logFile).record, 'utf8').catch(() => null);
  const [jobId, slurmMessages] = (text ?? '').trim().split(/\s+/, 2);
  if (jobId === undefined || !/^\d+(_\d+)?$/.test(jobId)) return null;
  return { jobId, slurmMessages: slurmMessages ?? jobFiles(logFile).slurmMessages };
}

/** Forgets the files of an earlier command for this log (a fresh submission). */
export async function removeJobFiles(files: JobFiles): Promise<void> {
  await Promise.all([files.status, files.record, files.tail, files.slurmMessages].map((file) => rm(file, { force: true })));
}

/** The log files in `folder` whose command has a job record (adoptable by a later driver). */
export async function recordedLogs(folder: string): Promise<string[]> {
  const names = await readdir(folder).catch(() => [] as string[]);
  return names.filter((name) => name.endsWith('.job')).map((name) => join(folder, `${name.slice(0, -'.job'.length)}.log`)).sort();
}
