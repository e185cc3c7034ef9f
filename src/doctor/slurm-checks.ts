/**
 * With `executor: { kind: slurm }`: the Slurm client commands, and whether the
 * controller answers.
 */
import { findExecutable } from '../executors/local/sandbox-probe.ts';
import { installProgram } from './debian-packages.ts';
import { check, type DoctorCheck } from './doctor-check.ts';
import { runQuiet } from './run-quiet.ts';

const COMMANDS = ['sbatch', 'squeue', 'sacct', 'scancel'];

/** The Slurm commands autolab calls, and `sinfo` (does the controller answer?). */
export async function checkSlurm(searchPath: string, partition: string | undefined): Promise<DoctorCheck[]> {
  const missing = COMMANDS.filter((name) => findExecutable(name, searchPath) === null);
  if (missing.length > 0) return [check('slurm', 'Slurm commands', 'fail', `not on PATH: ${missing.join(', ')}`, installProgram('sbatch'))];
  const checks = [check('slurm', 'Slurm commands', 'ok', COMMANDS.join(', '))];
  const sinfo = findExecutable('sinfo', searchPath);
  if (sinfo === null) return checks;
  const result = await runQuiet(sinfo, ['-h', '-o', '%P %a %D %t', ...(partition ? ['-p', partition] : [])], { timeoutMs: 20_000 });
  if (result.code !== 0 || result.timedOut) {
    checks.push(check('slurm', 'Slurm controller', 'fail', `sinfo failed: ${(result.stderr || result.stdout).trim().split('\n')[0] ?? 'timed out'}`, 'check that slurmctld runs and this host can reach it (munge key, slurm.conf)'));
  } else if (result.stdout.trim() === '') {
    checks.push(check('slurm', 'Slurm controller', 'fail', partition ? `no partition '${partition}'` : 'sinfo lists no partition', 'fix executor.partition in the task file (sinfo lists them)'));
  } else {
    checks.push(check('slurm', 'Slurm controller', 'ok', `answers: ${result.stdout.trim().split('\n').slice(0, 3).join('; ')}`));
  }
  return checks;
}
