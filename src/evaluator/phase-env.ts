import type { TaskSpec } from '../core/task.ts';
import type { TrialOwner } from '../core/trial.ts';
import type { StudyPaths } from '../layout/autolab-layout.ts';

/**
 * Variables passed through from the driver's environment to every phase. Nothing else
 * is inherited: API keys and tokens never reach a trial unless the task file lists them
 * under `env.pass`.
 */
export const BASE_ENV_ALLOW_LIST = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TZ', 'TMPDIR', 'USER', 'LOGNAME', 'SHELL', 'TERM', 'PYTHONPATH', 'VIRTUAL_ENV', 'CONDA_PREFIX', 'NODE_PATH', 'LD_LIBRARY_PATH', 'CUDA_HOME'];

/**
 * The settings of container engines, passed through so that a phase that runs in a
 * container (the executor's `container:`, or `apptainer exec` in a command) finds its
 * engine configured as in the user's shell: every `APPTAINER_*` and `SINGULARITY_*`
 * variable (cache and temp folders, binds; `APPTAINERENV_*` sets a variable inside the
 * container), and Podman's and Docker's own. None of them is passed into a container.
 */
export const CONTAINER_ENGINE_PREFIXES = ['APPTAINER_', 'SINGULARITY_', 'APPTAINERENV_', 'SINGULARITYENV_'];
export const CONTAINER_ENGINE_VARIABLES = ['XDG_RUNTIME_DIR', 'CONTAINER_HOST', 'CONTAINERS_CONF', 'CONTAINERS_STORAGE_CONF', 'DOCKER_HOST', 'DOCKER_CONFIG'];

export type PhaseName = 'setup' | 'preflight' | 'smoke' | 'run' | 'score' | 'legality' | 'profile';

export interface PhaseEnvInput {
  task: TaskSpec;
  paths: StudyPaths;
  studyName: string;
  trialId: number | null;
  seed: number;
  phase: PhaseName;
  gpu: string | null;
  owner: TrialOwner;
  from?: NodeJS.ProcessEnv;
  /** This repeat's artifacts folder (default: the trial's). */
  artifacts?: string;
  /** Where the run may write intermediate metrics as JSON lines (run phase only). */
  metricsFile?: string;
  /** Where the run keeps what it needs to resume after a preemption (run phase only). */
  checkpointDir?: string;
  /** A continued ladder's run: the trial's artifacts of the level below (`AUTOLAB_RESUME_FROM`, read-only) and that level's name (`AUTOLAB_RESUME_LEVEL`). */
  resumeFrom?: { dir: string; levelName: string };
  /** Legality: the trial's worktree (`AUTOLAB_WORKTREE`). */
  worktree?: string;
  /** Legality: the trial's cumulative diff from the baseline (`AUTOLAB_DIFF`). */
  diffFile?: string;
  /** Score: its own scratch folder, the only place it may write (`AUTOLAB_SCORE_DIR`). */
  scoreDir?: string;
}

/**
 * The whole environment of one phase command. Only setup and score see
 * `AUTOLAB_HOLDOUT`; runs see `AUTOLAB_DATA`, `AUTOLAB_ARTIFACTS`, `AUTOLAB_SEED`,
 * `AUTOLAB_TRIAL`, `AUTOLAB_CHECKPOINT_DIR` (kept while the run is requeued or its job
 * adopted), on a continued ladder's promoted level `AUTOLAB_RESUME_FROM` and `AUTOLAB_RESUME_LEVEL`, and their slot's GPU as `CUDA_VISIBLE_DEVICES` (the smoke run too, with
 * `AUTOLAB_SMOKE=1`); the legality command
 * `AUTOLAB_WORKTREE` and `AUTOLAB_DIFF`; the score `AUTOLAB_SCORE_DIR`.
 */
export function phaseEnv(input: PhaseEnvInput): Record<string, string> {
  const from = input.from ?? process.env;
  const env: Record<string, string> = {};
  for (const name of [...BASE_ENV_ALLOW_LIST, ...CONTAINER_ENGINE_VARIABLES, ...input.task.envPass]) {
    const value = from[name];
    if (value !== undefined) env[name] = value;
  }
  for (const [name, value] of Object.entries(from)) {
    if (value !== undefined && CONTAINER_ENGINE_PREFIXES.some((prefix) => name.startsWith(prefix))) env[name] = value;
  }
  Object.assign(env, input.task.envSet);
  env.PATH ??= '/usr/local/bin:/usr/bin:/bin';
  env.AUTOLAB_STUDY = input.studyName;
  env.AUTOLAB_PHASE = input.phase;
  env.AUTOLAB_SEED = String(input.seed);
  env.AUTOLAB_DATA = input.paths.data;
  env.AUTOLAB_RUN_TOKEN = input.owner.token;
  if (input.trialId !== null) {
    env.AUTOLAB_TRIAL = String(input.trialId);
    env.AUTOLAB_ARTIFACTS = input.artifacts ?? input.paths.artifacts(input.trialId);
  }
  if (input.metricsFile !== undefined && input.phase === 'run') env.AUTOLAB_METRICS_FILE = input.metricsFile;
  if (input.phase === 'smoke') env.AUTOLAB_SMOKE = '1';
  if (input.checkpointDir !== undefined && input.phase === 'run') env.AUTOLAB_CHECKPOINT_DIR = input.checkpointDir;
  if (input.resumeFrom !== undefined && input.phase === 'run') {
    env.AUTOLAB_RESUME_FROM = input.resumeFrom.dir;
    env.AUTOLAB_RESUME_LEVEL = input.resumeFrom.levelName;
  }
  if (input.phase === 'setup' || input.phase === 'score') env.AUTOLAB_HOLDOUT = input.paths.holdout;
  if (input.phase === 'legality' && input.worktree !== undefined) env.AUTOLAB_WORKTREE = input.worktree;
  if (input.phase === 'legality' && input.diffFile !== undefined) env.AUTOLAB_DIFF = input.diffFile;
  if (input.phase === 'score' && input.scoreDir !== undefined) env.AUTOLAB_SCORE_DIR = input.scoreDir;
  if (input.gpu !== null && input.phase !== 'score' && input.phase !== 'setup') env.CUDA_VISIBLE_DEVICES = input.gpu;
  return env;
}
