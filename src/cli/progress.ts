import { improvement } from '../core/acceptance.ts';
import type { TypedEmitter, StudyEventMap } from '../core/events.ts';
import type { Objective } from '../core/task.ts';
import type { TrialPhase, TrialRecord } from '../core/trial.ts';
import { formatDelta, formatDuration, formatScore, oneLine, outcomeText, outcomeWithCause, palette, type Palette } from './format.ts';

interface RunningTrial {
  id: number;
  specialist: string;
  phase: TrialPhase | 'pending';
  startedAt: number;
  hypothesis: string;
}

export interface ProgressOptions {
  stream: NodeJS.WriteStream;
  objective: Objective;
  /** The number of trials this run aims for (for `trial n of N`), when known. */
  target: number | null;
  /** Trials already in the study before this run. */
  priorTrials: number;
  baselineScore: () => number | null;
  color: boolean;
  /** Redraw in place (a terminal) or print plain lines. */
  live: boolean;
}

/**
 * Live progress of `autolab run`: trial n of N, running slots with their phase, the
 * incumbent and its delta vs the baseline, and the last outcomes. On a terminal it
 * redraws a block in place; elsewhere it prints one plain line per event.
 */
export class ProgressDisplay {
  private readonly running = new Map<number, RunningTrial>();
  private readonly recent: TrialRecord[] = [];
  private finished = 0;
  private incumbent: TrialRecord | null = null;
  private drawnLines = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly colors: Palette;
  private readonly unsubscribe: Array<() => void> = [];
  private status = '';

  constructor(events: TypedEmitter<StudyEventMap>, private readonly options: ProgressOptions) {
    this.colors = palette(options.color);
    this.unsubscribe.push(
      events.on('trial.created', ({ trial }) => {
        this.running.set(trial.id, { id: trial.id, specialist: trial.specialist, phase: 'pending', startedAt: Date.now(), hypothesis: trial.hypothesis });
        if (!options.live) this.print(`${this.colors.dim('start')} trial #${trial.id} [${trial.specialist}] ${oneLine(trial.hypothesis, 100)}`);
        this.redraw();
      }),
      events.on('trial.phase', ({ trialId, phase }) => {
        const entry = this.running.get(trialId);
        if (entry) entry.phase = phase;
        this.redraw();
      }),
      events.on('trial.finished', ({ trial }) => this.onFinished(trial)),
      events.on('trial.recovered', ({ trialId, label }) => this.print(`trial #${trialId} was left unfinished by a dead run: recorded as ${label}`)),
      events.on('trial.adopted', ({ trialId }) => this.print(`trial #${trialId} was left unfinished by a dead run: adopted, waiting for its jobs (nothing is run again)`)),
      events.on('setup.started', ({ command }) => this.print(`setup: ${command}`)),
      events.on('setup.finished', ({ durationMs }) => this.print(`setup finished in ${formatDuration(durationMs)}`)),
      events.on('warning', ({ message }) => this.print(this.colors.yellow(`warning: ${message}`))),
      events.on('study.stopping', ({ reason, force }) => {
        this.status = force ? 'killing running trials…' : `stopping (${reason}); waiting for running trials…`;
        if (!options.live) this.print(this.status);
        this.redraw();
      }),
    );
    if (options.live) {
      this.timer = setInterval(() => this.redraw(), 500);
      this.timer.unref();
    }
  }

  private onFinished(trial: TrialRecord): void {
    this.running.delete(trial.id);
    if (trial.id !== 0) this.finished++;
    if (trial.status === 'kept') this.incumbent = trial;
    this.recent.unshift(trial);
    this.recent.splice(6);
    const baseline = this.options.baselineScore();
    const delta = trial.score !== null && baseline !== null ? trial.score - baseline : null;
    // A failure names its cause (the signature's summary), never the first lines the run printed.
    const outcome = trial.status === 'failed' ? outcomeWithCause(trial, this.colors, 140) : `${outcomeText(trial, this.colors)} ${this.options.objective.metric}=${formatScore(trial.score)} (${formatDelta(delta)} vs baseline)`;
    const line = `trial #${trial.id} [${trial.specialist}] ${outcome} ${this.colors.dim(formatDuration(trial.timings.totalMs))}`;
    this.print(line);
  }

  setIncumbent(trial: TrialRecord | null): void {
    this.incumbent = trial;
  }

  /** Prints a line above the live block (or plainly). */
  print(line: string): void {
    this.clear();
    this.options.stream.write(line + '\n');
    this.redraw();
  }

  private clear(): void {
    if (!this.options.live || this.drawnLines === 0) return;
    this.options.stream.write(`\u001b[${this.drawnLines}A\u001b[0J`);
    this.drawnLines = 0;
  }

  private redraw(): void {
    if (!this.options.live) return;
    this.clear();
    const lines = this.block();
    this.options.stream.write(lines.join('\n') + '\n');
    this.drawnLines = lines.length;
  }

  private block(): string[] {
    const c = this.colors;
    const { objective, target, priorTrials } = this.options;
    const done = priorTrials + this.finished;
    const baseline = this.options.baselineScore();
    const lines: string[] = [];
    const of = target === null ? '' : ` of ${target}`;
    let incumbentText = '—';
    if (this.incumbent && this.incumbent.score !== null) {
      const delta = baseline !== null ? this.incumbent.score - baseline : null;
      const better = baseline !== null && improvement(objective, this.incumbent.score, baseline) > 0;
      incumbentText = `#${this.incumbent.id} ${objective.metric}=${formatScore(this.incumbent.score)} ${(better ? c.green : c.dim)(formatDelta(delta) + ' vs baseline')}`;
    }
    lines.push(c.bold(`── trials ${done}${of} finished · ${this.running.size} running · incumbent ${incumbentText}`));
    for (const entry of [...this.running.values()].sort((a, b) => a.id - b.id)) {
      lines.push(`  #${entry.id} ${c.cyan(entry.phase.padEnd(11))} ${formatDuration(Date.now() - entry.startedAt).padStart(6)}  [${entry.specialist}] ${oneLine(entry.hypothesis, 70)}`);
    }
    if (this.status) lines.push(c.yellow('  ' + this.status));
    return lines;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.clear();
    for (const unsubscribe of this.unsubscribe) unsubscribe();
  }
}
