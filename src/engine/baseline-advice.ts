/**
 * What to do when the baseline (trial 0, the unmodified recipe) fails: the study stops
 * there, because trials are only compared with a baseline that scores. The advice names
 * the failure label's usual cause and the task file key to look at.
 */
import type { TaskSpec } from '../core/task.ts';
import type { FailureLabel } from '../core/trial.ts';

const RESTART = 'then run again with --fresh (this study is kept under another name)';

/**
 * The message and hint for a failed baseline.
 *
 * @example baselineFailureAdvice('gate_miss', 'artifact_bytes = 70000, gate <= 65536 (missed by 4464, 6.8%)', task)
 */
export function baselineFailureAdvice(label: FailureLabel | null, detail: string | null, task: Pick<TaskSpec, 'taskFile' | 'objective' | 'run' | 'gates'>): { message: string; hint: string } {
  const why = `${detail ?? ''}`.trimEnd();
  const head = `the baseline (trial #0, the unmodified recipe) failed: ${label ?? 'failed'}`;
  const rule = 'The baseline must score and pass every gate: the study compares each trial with it, so it stops here.';
  const logs = '`autolab show 0` shows its logs';
  let hint: string;
  switch (label) {
    case 'gate_miss':
      hint = `make the unmodified recipe pass the gate (${task.gates.map((gate) => `${gate.metric} ${gate.op} ${gate.value}`).join(', ')}) or loosen \`gates:\` in ${task.taskFile}, ${RESTART}`;
      break;
    case 'metric_missing':
      hint = `the score command must print a JSON object on its last stdout line with the objective metric, e.g. {"${task.objective.metric}": 0.123}; ${logs}; fix the score command or objective.metric, ${RESTART}`;
      break;
    case 'run_timeout':
      hint = `the run took longer than run.timeout (${Math.round(task.run.timeoutMs / 1000)} s): raise it in ${task.taskFile} (about twice the baseline's time by hand), ${RESTART}`;
      break;
    case 'score_timeout':
      hint = `the score command took longer than its timeout: raise score.timeout in ${task.taskFile}, ${RESTART}`;
      break;
    case 'oom':
      hint = `the run ran out of memory: raise run.memory (or make the recipe smaller); ${logs}; ${RESTART}`;
      break;
    case 'preflight_failed':
      hint = `the preflight command failed on the unmodified recipe: fix it or the recipe; ${logs}; ${RESTART}`;
      break;
    case 'smoke_failed':
      hint = `the smoke run (smoke: in the task file, the run command with AUTOLAB_SMOKE=1 unless it has its own) failed on the unmodified recipe: raise smoke.timeout, or make the recipe do a short run when AUTOLAB_SMOKE=1; ${logs}; ${RESTART}`;
      break;
    case 'crash':
      hint = `the run command failed on the unmodified recipe: ${logs}; run the command by hand in the recipe folder to see why (autolab sets $AUTOLAB_ARTIFACTS, $AUTOLAB_DATA, $AUTOLAB_SEED), fix it, ${RESTART}`;
      break;
    case 'interrupted':
    case 'infra_error':
      hint = `nothing in the recipe is at fault: run again with --fresh to measure the baseline anew (this study is kept under another name)`;
      break;
    default:
      hint = `fix the recipe or the task file so the unmodified recipe scores; ${logs}; ${RESTART}`;
  }
  return { message: `${head}\n${why ? `${why}\n` : ''}${rule}`, hint };
}
