import { improvement } from '../../core/acceptance.ts';
import { describeTrialCounts } from '../../core/trial-counts.ts';
import { TypedEmitter, type StudyEventMap } from '../../core/events.ts';
import { buildLineageFeedback } from '../../core/lineage-feedback.ts';
import { BanditChooser } from '../../scheduler/bandit-chooser.ts';
import { driveStudy } from '../../scheduler/drive-study.ts';
import { RoundRobinChooser } from '../../scheduler/specialist-chooser.ts';
import { createSpecialist } from '../../specialists/registry.ts';
import { AutolabError } from '../../core/errors.ts';
import { remoteTrials } from '../../worker/await-remote-trial.ts';
import { isQueueStore } from '../../worker/leased-store.ts';
import { withStudy, type StudyCommandOptions } from '../context.ts';
import { nextHints, prepareRunBudget, resumeDriftWarning } from './run-budget.ts';
import { formatDelta, formatDuration, formatScore, oneLine, palette, useColor } from '../format.ts';
import { ProgressDisplay } from '../progress.ts';

export interface RunOptions extends StudyCommandOptions {
  trials?: number;
  hours?: number;
  patience?: number;
  fresh?: boolean;
  lineage?: boolean;
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
  const stop = new AbortController();
  const kill = new AbortController();
  const out = process.stdout;
  const color = useColor(out);
  const c = palette(color);
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      out.write(c.yellow('\nCtrl-C: no new trials; waiting for running trials to finish. Press Ctrl-C again to kill them.\n'));
      stop.abort();
    } else {
      kill.abort();
    }
  };
  const onSigterm = () => {
    stop.abort();
    kill.abort();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
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
        const specialists = task.specialists.map((spec) => createSpecialist(spec, task));
        if (options.remote && !isQueueStore(study.store)) {
          throw new AutolabError('UsageError', '--remote queues trials for workers on other hosts, which needs a store they share', {
            hint: 'give the driver and its workers the same --store postgres://USER:PASSWORD@HOST:5432/DB',
          });
        }
        if (options.remote) out.write(c.dim(`  remote: trials are queued for workers (${options.invocation?.bin ?? 'autolab'} worker ${task.taskFile} --store …); this process only proposes\n`));
        const { context, baseline } = await study.prepare(kill.signal, { remote: options.remote ?? false });
        baselineScore = baseline.score;
        progress.setIncumbent(await study.incumbent());
        const chooser = options.scheduler === 'round-robin' ? new RoundRobinChooser(specialists) : new BanditChooser(specialists, { objective: task.objective });
        const summary = await driveStudy(context, specialists, {
          stop: stop.signal,
          kill: kill.signal,
          chooser,
          noLineage: options.lineage === false,
          ...(options.remote ? { remote: remoteTrials(context) } : {}),
          ...(sessionTrials !== undefined ? { trials: sessionTrials } : {}),
          ...(options.hours !== undefined ? { hours: options.hours } : {}),
          ...(options.patience !== undefined ? { patience: options.patience } : {}),
        });
        progress.stop();
        const trials = await study.trials();
        const feedback = buildLineageFeedback(trials, { study: study.name, objective: task.objective });
        const incumbent = summary.incumbent;
        const delta = incumbent.score !== null && baseline.score !== null ? incumbent.score - baseline.score : null;
        const better = delta !== null && incumbent.score !== null && baseline.score !== null && improvement(task.objective, incumbent.score, baseline.score) > 0;
        out.write('\n' + c.bold(`Stopped: ${summary.stopReason}.`) + ` ${summary.trialsRun} trial(s) in ${formatDuration(summary.elapsedMs)}.\n`);
        out.write(`  trials: ${describeTrialCounts(feedback.counts)}\n`);
        out.write(`  baseline #0: ${task.objective.metric} = ${formatScore(baseline.score)}\n`);
        out.write(`  incumbent #${incumbent.id}: ${task.objective.metric} = ${formatScore(incumbent.score)} ${(better ? c.green : c.dim)(`(${formatDelta(delta)} vs baseline)`)}\n`);
        if (feedback.chain.length > 1) {
          out.write('  path to the incumbent:\n');
          for (const step of feedback.chain.slice(1)) out.write(`    #${step.id} ${formatDelta(step.delta)}  ${oneLine(step.hypothesis, 90)}\n`);
        }
        const hints = nextHints(options, { incumbentId: incumbent.id, counts: feedback.counts, budget: runBudget.budget, stopReason: summary.stopReason, taskFile: task.taskFile });
        out.write(c.dim(`  next: ${hints.join('\n        ')}\n`));
        return 0;
      } finally {
        progress.stop();
      }
    });
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
  }
}
