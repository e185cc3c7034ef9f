import { improvement } from '../../core/acceptance.ts';
import { TypedEmitter, type StudyEventMap } from '../../core/events.ts';
import { buildLineageFeedback } from '../../core/lineage-feedback.ts';
import { describeTrialCounts } from '../../core/trial-counts.ts';
import type { Study } from '../../engine/open-study.ts';
import type { DriveSummary } from '../../scheduler/drive-study.ts';
import { withStudy, type StudyCommandOptions } from '../context.ts';
import { nextHints, prepareRunBudget, resumeDriftWarning, type RunBudget } from './run-budget.ts';
import { formatDelta, formatDuration, formatScore, oneLine, palette, useColor } from '../format.ts';
import { ProgressDisplay } from '../progress.ts';
import { paretoFrontView } from '../../views/pareto-front-view.ts';
import { renderFront } from './front.ts';
import { listenForInterrupts } from '../interrupts.ts';

export interface RunOptions extends StudyCommandOptions {
  trials?: number;
  hours?: number;
  patience?: number;
  fresh?: boolean;
  lineage?: boolean;
  /** `--memory`: warm-start from earlier studies. */
  memory?: boolean;
  /** Only propose: trials are queued for `autolab worker`s (a PostgreSQL store). */
  remote?: boolean;
  /** Who proposes next: `bandit` (default, payoff-driven) or `round-robin`. */
  scheduler?: 'bandit' | 'round-robin';
  /** Extends the study's trial budget by N (recorded in the study; see run-budget.ts). */
  more?: number;
  /** Refuse to resume when protected or setup files differ on disk from the baseline. */
  strict?: boolean;
}

/** `autolab run [PATH]`: measure the baseline, then run trials until a stop rule fires. */
export async function runCommand(path: string, options: RunOptions): Promise<number> {
  const out = process.stdout;
  const color = useColor(out);
  const c = palette(color);
  const { stop, kill, dispose } = listenForInterrupts((text) => out.write(c.yellow(text)), '\nCtrl-C: no new trials; waiting for running trials to finish. Press Ctrl-C again to kill them.\n');
  const events = new TypedEmitter<StudyEventMap>();
  try {
    return await withStudy(path, options, { create: true, fresh: options.fresh ?? false, events }, async (study) => {
      const task = study.task;
      const prior = (await study.trials()).filter((trial) => trial.id !== 0).length;
      const runBudget = await prepareRunBudget(study, options);
      const drift = await resumeDriftWarning(study, options);
      const sessionTrials = runBudget.sessionTrials;
      let target: number | null = null;
      if (sessionTrials !== undefined) target = prior + sessionTrials;
      if (task.budget.trials !== undefined) target = Math.min(target ?? Infinity, task.budget.trials);
      let baselineScore: number | null = null;
      out.write(`${c.bold('autolab')} study '${study.name}' · task ${task.taskFile}\n`);
      out.write(`  objective: ${task.objective.direction} ${task.objective.metric} · parallel ${task.parallel} · ${task.specialists.length} specialist(s) · ${study.created ? 'new study' : `resuming (${prior} trials so far)`}\n`);
      for (const note of runBudget.notes) out.write(c.dim(`  ${note}\n`));
      if (drift !== null) out.write(c.yellow(`warning: ${drift}\n`));
      const progress = new ProgressDisplay(events, {
        stream: out,
        objective: task.objective,
        target,
        priorTrials: prior,
        baselineScore: () => baselineScore,
        color,
        live: Boolean(out.isTTY) && process.env.AUTOLAB_PLAIN === undefined,
      });
      try {
        if (options.remote) out.write(c.dim(`  remote: trials are queued for workers (${options.invocation?.bin ?? 'autolab'} worker ${task.taskFile} --store …); this process only proposes\n`));
        const summary = await study.run({
          stop,
          kill,
          scheduler: options.scheduler ?? 'bandit',
          noLineage: options.lineage === false,
          ...(options.memory ? { memory: true } : {}),
          remote: options.remote ?? false,
          onReady: ({ baseline, incumbent }) => {
            baselineScore = baseline.score;
            progress.setIncumbent(incumbent);
          },
          ...(sessionTrials !== undefined ? { trials: sessionTrials } : {}),
          ...(options.hours !== undefined ? { hours: options.hours } : {}),
          ...(options.patience !== undefined ? { patience: options.patience } : {}),
        });
        progress.stop();
        await printSummary(out, c, study, summary, { options, runBudget });
        return 0;
      } finally {
        progress.stop();
      }
    });
  } finally {
    dispose();
  }
}

/** What `autolab run` prints when it stops: the counts, the baseline, the incumbent and the path to it. */
async function printSummary(out: NodeJS.WriteStream, c: ReturnType<typeof palette>, study: Study, summary: DriveSummary, run: { options: RunOptions; runBudget: RunBudget }): Promise<void> {
  const { task } = study;
  const trials = await study.trials();
  const feedback = buildLineageFeedback(trials, { study: study.name, objective: task.objective });
  const { incumbent, baseline } = summary;
  const delta = incumbent.score !== null && baseline.score !== null ? incumbent.score - baseline.score : null;
  const better = delta !== null && incumbent.score !== null && baseline.score !== null && improvement(task.objective, incumbent.score, baseline.score) > 0;
  out.write('\n' + c.bold(`Stopped: ${summary.stopReason}.`) + ` ${summary.trialsRun} trial(s) in ${formatDuration(summary.elapsedMs)}.\n`);
  out.write(`  trials: ${describeTrialCounts(feedback.counts)}\n`);
  out.write(`  baseline #0: ${task.objective.metric} = ${formatScore(baseline.score)}\n`);
  const front = paretoFrontView(task, trials);
  // A multi-objective study ends with its front, not one incumbent.
  if (front) out.write(`${renderFront(front).replace(/^/gm, '  ')}\n`);
  else out.write(`  incumbent #${incumbent.id}: ${task.objective.metric} = ${formatScore(incumbent.score)} ${(better ? c.green : c.dim)(`(${formatDelta(delta)} vs baseline)`)}\n`);
  if (!front && feedback.chain.length > 1) {
    out.write('  path to the incumbent:\n');
    for (const step of feedback.chain.slice(1)) out.write(`    #${step.id} ${formatDelta(step.delta)}  ${oneLine(step.hypothesis, 90)}\n`);
  }
  const hints = nextHints(run.options, { incumbentId: front?.recommended ?? incumbent.id, counts: feedback.counts, budget: run.runBudget.budget, stopReason: summary.stopReason, taskFile: task.taskFile });
  out.write(c.dim(`  next: ${hints.join('\n        ')}\n`));
}
