import type { CommandRequest, CommandResult, Executor } from '../core/executor.ts';

/**
 * Sends each phase command to one of two executors by its phase (the request's
 * `AUTOLAB_PHASE`, which every phase environment carries): the phases in `phases` go to
 * `cluster`, all others (setup, score, legality, ...) to `local`. Orphans are reaped on both.
 *
 * @example
 * const executor = new PhaseRoutedExecutor(new LocalExecutor(), new SlurmExecutor({ partition: 'gpu' }), ['run']);
 */
export class PhaseRoutedExecutor implements Executor {
  readonly kind: string;
  private readonly phases: ReadonlySet<string>;

  constructor(
    private readonly local: Executor,
    private readonly cluster: Executor,
    phases: readonly string[],
  ) {
    this.kind = cluster.kind;
    this.phases = new Set(phases);
  }

  /** The executor that runs a request of this phase; the smoke run goes where the run goes (it is a short run). */
  executorFor(phase: string | undefined): Executor {
    const routed = phase === 'smoke' ? 'run' : phase;
    return routed !== undefined && this.phases.has(routed) ? this.cluster : this.local;
  }

  run(request: CommandRequest): Promise<CommandResult> {
    return this.executorFor(request.env.AUTOLAB_PHASE).run(request);
  }

  async reapOrphans(token: string, spare?: ReadonlySet<string>): Promise<number> {
    const [local, cluster] = await Promise.all([this.local.reapOrphans(token, spare), this.cluster.reapOrphans(token, spare)]);
    return local + cluster;
  }

  /** The cluster's adoptable commands (the local executor's die with their driver). */
  async adoptable(folder: string): Promise<string[]> {
    return (await this.cluster.adoptable?.(folder)) ?? [];
  }
}
