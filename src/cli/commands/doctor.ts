import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { TaskSpec } from '../../core/task.ts';
import type { DoctorCheck } from '../../doctor/doctor-check.ts';
import { runDoctor } from '../../doctor/run-doctor.ts';
import { loadTaskFile, TASK_FILE_NAMES } from '../../task/load-task.ts';
import { palette, useColor } from '../format.ts';
import { commandFor, type Invocation } from '../invocation.ts';

export interface DoctorCommandOptions {
  store?: string;
  study?: string;
  json?: boolean;
  invocation?: Invocation;
}

/** Whether `path` holds a task file (a file, or a folder with autolab.yaml). */
async function hasTaskFile(path: string): Promise<boolean> {
  const found = await stat(path).catch(() => null);
  if (found?.isFile()) return true;
  if (!found?.isDirectory()) return false;
  for (const name of TASK_FILE_NAMES) if ((await stat(resolve(path, name)).catch(() => null))?.isFile()) return true;
  return false;
}

/** `apt-get install a b` for every finding whose fix is an apt-get install, as one command. */
export function aptCommand(findings: readonly DoctorCheck[]): string | null {
  const packages = new Set<string>();
  for (const finding of findings) {
    if (finding.status !== 'fail' && finding.status !== 'warn') continue;
    const match = /^apt-get install ([a-z0-9][a-z0-9.+-]*)/.exec(finding.fix ?? '');
    if (match) packages.add(match[1]!);
  }
  return packages.size === 0 ? null : `sudo apt-get install ${[...packages].join(' ')}`;
}

/**
 * `autolab doctor [PATH]`: what this machine lacks for the task (or, without a task
 * file, for autolab itself). Exits 1 when something the task needs is missing.
 */
export async function doctorCommand(path: string, explicit: boolean, options: DoctorCommandOptions): Promise<number> {
  let task: TaskSpec | null = null;
  if (explicit || (await hasTaskFile(path))) task = (await loadTaskFile(path)).task;
  const store = options.store ?? process.env.AUTOLAB_STORE;
  const findings = await runDoctor({ task, ...(store !== undefined ? { store } : {}), ...(options.study !== undefined ? { study: options.study } : {}) });
  const failed = findings.filter((finding) => finding.status === 'fail');
  if (options.json) {
    process.stdout.write(JSON.stringify({ task: task?.taskFile ?? null, ready: failed.length === 0, findings }, null, 2) + '\n');
    return failed.length === 0 ? 0 : 1;
  }
  const c = palette(useColor(process.stdout));
  const mark = { ok: c.green('✓'), warn: c.yellow('!'), fail: c.red('✗'), info: c.dim('·') };
  process.stdout.write(task ? `autolab doctor · task ${task.taskFile}\n` : `autolab doctor · no task file here: checking the machine only (name one: autolab doctor PATH)\n`);
  const width = Math.max(...findings.map((finding) => finding.name.length));
  for (const finding of findings) {
    process.stdout.write(`${mark[finding.status]} ${finding.area.padEnd(8)} ${finding.name.padEnd(width)}  ${finding.detail}\n`);
    if (finding.fix && finding.status !== 'ok' && finding.status !== 'info') process.stdout.write(`  ${' '.repeat(8)} ${' '.repeat(width)}  → ${finding.fix}\n`);
  }
  const apt = aptCommand(findings);
  const warned = findings.filter((finding) => finding.status === 'warn').length;
  if (failed.length === 0) {
    const run = options.invocation ? commandFor(options.invocation, 'run') : 'autolab run';
    process.stdout.write(`\nready${warned > 0 ? ` (${warned} warning${warned === 1 ? '' : 's'})` : ''}${task ? `: ${run}` : ''}\n`);
  } else {
    process.stdout.write(`\n${failed.length} problem${failed.length === 1 ? '' : 's'} to fix before the study can run as the task asks.\n`);
  }
  if (apt) process.stdout.write(`install the Debian packages named above: ${apt}\n`);
  return failed.length === 0 ? 0 : 1;
}
