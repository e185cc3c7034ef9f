/**
 * Checks of the machine itself: git, Node.js, the bubblewrap sandbox and the GPUs.
 */
import type { TaskSpec } from '../core/task.ts';
import { findExecutable, probeBwrap } from '../executors/local/sandbox-probe.ts';
import { installProgram } from './debian-packages.ts';
import { check, type DoctorCheck } from './doctor-check.ts';
import { runQuiet } from './run-quiet.ts';

/** git, at least 2.38 (the private repo's commands need it). */
export async function checkGit(searchPath: string): Promise<DoctorCheck> {
  const git = findExecutable('git', searchPath);
  if (git === null) return check('machine', 'git', 'fail', 'not found on PATH', installProgram('git'));
  const result = await runQuiet(git, ['--version']);
  const version = /(\d+)\.(\d+)(?:\.(\d+))?/.exec(result.stdout);
  if (!version) return check('machine', 'git', 'fail', `${git} did not say its version`, installProgram('git'));
  const [major, minor] = [Number(version[1]), Number(version[2])];
  if (major < 2 || (major === 2 && minor < 38)) return check('machine', 'git', 'fail', `${version[0]} at ${git}; autolab needs 2.38 or newer`, 'install a newer git (Debian 12 has 2.39: apt-get install git)');
  return check('machine', 'git', 'ok', `${version[0]} (${git})`);
}

/** Node.js, as package.json's engines asks. */
export function checkNode(version: string = process.versions.node): DoctorCheck {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 19)) return check('machine', 'node', 'fail', `${version}; autolab needs 20.19 or newer`, 'install Node.js 20.19+ (e.g. from nodesource or nvm)');
  return check('machine', 'node', 'ok', version);
}

/**
 * Whether trial code can be sandboxed (bubblewrap builds a sandbox here), and what that
 * means for this task (`sandbox:` in the task file).
 */
export async function checkSandbox(searchPath: string, task: Pick<TaskSpec, 'sandbox'> | null): Promise<DoctorCheck> {
  if (task?.sandbox === 'none') return check('sandbox', 'bubblewrap', 'info', 'the task file says sandbox: none (trial code runs with your rights; see docs/security.md)');
  const probe = await probeBwrap(searchPath);
  if (probe.available) return check('sandbox', 'bubblewrap', 'ok', `builds a sandbox (${probe.bwrap}): read-only system, no network, held-out data hidden`);
  const fix =
    probe.bwrap === null
      ? installProgram('bwrap')
      : 'allow unprivileged user namespaces for bwrap: Ubuntu 23.10+: an AppArmor profile for bwrap or `sysctl kernel.apparmor_restrict_unprivileged_userns=0`; older Debian: `sysctl kernel.unprivileged_userns_clone=1` (docs/security.md)';
  if (task?.sandbox === 'bwrap') return check('sandbox', 'bubblewrap', 'fail', `the task file asks for sandbox: bwrap, but ${probe.reason}`, fix);
  return check('sandbox', 'bubblewrap', 'warn', `trials would run WITHOUT a sandbox: ${probe.reason}`, `${fix}; or set sandbox: none in the task file to accept it`);
}

/** The GPUs nvidia-smi lists, against the task's `gpus` (and Slurm's gpus_per_trial). */
export async function checkGpus(searchPath: string, task: Pick<TaskSpec, 'gpus' | 'executor'> | null): Promise<DoctorCheck> {
  const wanted = task?.gpus ?? [];
  const onSlurm = task?.executor?.kind === 'slurm';
  const smi = findExecutable('nvidia-smi', searchPath);
  if (smi === null) {
    if (wanted.length > 0 && !onSlurm) return check('gpu', 'GPUs', 'fail', `the task gives trials GPUs ${wanted.join(', ')}, but nvidia-smi is not on PATH`, installProgram('nvidia-smi'));
    return check('gpu', 'GPUs', 'info', onSlurm ? 'no nvidia-smi on this machine (GPUs are the cluster nodes\' business: executor slurm)' : 'no NVIDIA GPU here (nvidia-smi not found); the task uses none');
  }
  const result = await runQuiet(smi, ['--query-gpu=index,uuid,name,memory.total', '--format=csv,noheader'], { timeoutMs: 20_000 });
  if (result.code !== 0) return check('gpu', 'GPUs', wanted.length > 0 ? 'fail' : 'warn', `nvidia-smi failed: ${(result.stderr || result.stdout).trim().split('\n')[0] ?? `exit ${result.code}`}`, 'check the NVIDIA driver (nvidia-smi must list the GPUs)');
  const gpus = result.stdout.trim().split('\n').filter(Boolean).map((line) => line.split(',').map((part) => part.trim()));
  const listed = gpus.map(([index, , name, memory]) => `${index}: ${name} (${memory})`).join('; ');
  const missing = wanted.filter((id) => !gpus.some(([index, uuid]) => index === id || uuid === id));
  if (missing.length > 0) return check('gpu', 'GPUs', 'fail', `the task gives trials GPUs ${missing.join(', ')}, which nvidia-smi does not list (${listed || 'none'})`, 'fix gpus: in the task file to the ids nvidia-smi lists');
  if (wanted.length === 0) return check('gpu', 'GPUs', 'info', `${gpus.length} GPU(s): ${listed}; the task uses none (gpus: [0, 1] gives each trial slot one)`);
  return check('gpu', 'GPUs', 'ok', `${listed}; trials get ${wanted.join(', ')}`);
}
