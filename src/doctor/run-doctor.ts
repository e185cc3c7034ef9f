/**
 * `autolab doctor [PATH]`: checks this machine for what a task needs, and says what to
 * install. Without a task file, only the machine (git, Node.js, the sandbox, GPUs).
 */
import type { TaskSpec } from '../core/task.ts';
import { studyPaths } from '../layout/autolab-layout.ts';
import { checkCommands } from './command-checks.ts';
import type { DoctorCheck } from './doctor-check.ts';
import { checkGit, checkGpus, checkNode, checkSandbox } from './machine-checks.ts';
import { checkSlurm } from './slurm-checks.ts';
import { checkStore } from './store-checks.ts';

export interface DoctorOptions {
  /** The loaded task, or null to check the machine only. */
  task: TaskSpec | null;
  /** The store to check (default: the task's SQLite file, or AUTOLAB_STORE). */
  store?: string;
  /** The study name (for the default store path); default the task's name. */
  study?: string;
  /** The PATH to search (default process.env.PATH). */
  searchPath?: string;
}

/**
 * Every finding, in a stable order: machine, sandbox, GPUs, the task's commands and
 * Python modules, the store, Slurm.
 *
 * @example
 * const { task } = await loadTaskFile('examples/golf');
 * const findings = await runDoctor({ task });
 * const ready = findings.every((finding) => finding.status !== 'fail');
 */
export async function runDoctor(options: DoctorOptions): Promise<DoctorCheck[]> {
  const searchPath = options.searchPath ?? process.env.PATH ?? '';
  const task = options.task;
  const findings: DoctorCheck[] = [await checkGit(searchPath), checkNode(), await checkSandbox(searchPath, task), await checkGpus(searchPath, task)];
  if (task === null) return findings;
  findings.push(...(await checkCommands(task, searchPath)));
  const store = options.store ?? studyPaths(task.root, options.study ?? task.name).store;
  findings.push(await checkStore(store));
  if (task.executor?.kind === 'slurm') findings.push(...(await checkSlurm(searchPath, typeof task.executor.options.partition === 'string' ? task.executor.options.partition : undefined)));
  return findings;
}
