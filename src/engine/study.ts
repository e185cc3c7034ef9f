import { mkdir } from 'node:fs/promises';
import { AutolabError } from '../core/errors.ts';
import { type StudyEventMap, type TypedEmitter, trialCreatedEvent } from '../core/events.ts';
import type { Executor } from '../core/executor.ts';
import { buildLineageFeedback } from '../core/lineage-feedback.ts';
import { describeIllegalLineage, illegalInLineage } from '../core/lineage-legality.ts';
import type { LineageFeedback } from '../core/lineage.ts';
import type { Store, TrialFilter } from '../core/store.ts';
import type { StudyRecord } from '../core/study.ts';
import type { TaskSpec } from '../core/task.ts';
import type { Proposal, TrialOwner, TrialRecord } from '../core/trial.ts';
import { admitEdit, notesWithSummary } from '../evaluator/edit-admission.ts';
import { checkCumulative } from '../evaluator/legality.ts';
import { studyStatePaths } from '../evaluator/legality-step.ts';
import type { StudyRuntime } from '../evaluator/study-runtime.ts';
import { IsolatingExecutor, type TrialIsolationPolicy } from '../evaluator/trial-isolation.ts';
import type { StudyPaths } from '../layout/autolab-layout.ts';
import type { DriveSummary } from '../scheduler/drive-study.ts';
import { fidelityNotes } from '../scheduler/ladder-notes.ts';
import { isQueueStore } from '../worker/leased-store.ts';
import type { WorkerSummary } from '../worker/work-study.ts';
import { openWorkspace, type Workspace } from '../workspace/workspace.ts';
import { ensureBaseline } from './baseline.ts';
import { recoverStudy, type RecoveryReport } from './recovery.ts';
import { resolveSandboxMode } from './sandbox-mode.ts';
import { ensureSetup } from './setup-phase.ts';
import { driveOptionsFor, type StudyRunOptions } from './study-run-options.ts';
import { workOptionsFor, type StudyWorkOptions } from './study-work-options.ts';
import { executorForTask, repeatsTogether } from './task-executor.ts';
import { taskChanged } from './task-changed.ts';
import { openStudyMemory, withResearchMemory } from './research-memory-hook.ts';

/**
 * A study opened from its task file (`openStudy`): the library entry point behind every
 * CLI command. `run` drives it (proposals, trials, stop rules), `work` evaluates trials
 * queued for workers, `submit` evaluates one proposal made elsewhere.
 *
 * @example
 * const study = await openStudy('examples/golf', { create: true });
 * const summary = await study.run({ trials: 5 });
 * console.log(summary.stopReason, summary.incumbent.score);
 * await study.close();
 */
export class Study {
  private isolationCache: TrialIsolationPolicy | null = null;
  private executorCache: Executor | null = null;
  private workspaceCache: Workspace | null = null;
  private memoryHandle: Awaited<ReturnType<typeof openStudyMemory>> | undefined;
  private memoryUse: boolean | undefined;

  constructor(
    readonly task: TaskSpec,
    readonly store: Store,
    readonly record: StudyRecord,
    readonly paths: StudyPaths,
    readonly events: TypedEmitter<StudyEventMap>,
    readonly owner: TrialOwner,
    readonly created: boolean,
    /** False when the task file judges trials differently from how this study was started: it may be read, never run or scored. */
    readonly judgingMatches = true,
    /** The SQLite store file (null for PostgreSQL): protected from trials like `.autolab/` when it lies inside the recipe. */
    readonly storeFile: string | null = null,
  ) {}

  get name(): string {
    return this.record.name;
  }

  /**
   * Runs the study until a stop rule fires: prepares it (recovery, setup, baseline),
   * builds the task's specialists, lets the chooser (the AUC bandit by default) pick who
   * proposes, and drives trials on the task's slots. Running trials always finish (or
   * are killed on `kill`) before it resolves. With `remote`, trials are queued for
   * `autolab worker`s and this process only proposes.
   *
   * @example
   * const stop = new AbortController();
   * process.once('SIGINT', () => stop.abort());
   * const { stopReason, incumbent } = await study.run({ hours: 8, stop: stop.signal });
   */
  async run(options: StudyRunOptions = {}): Promise<DriveSummary> {
    // The driving code is loaded when a study runs: reading commands (status, trials, show) start faster.
    const [{ createSpecialist }, { driveStudy }, { remoteTrials }] = await Promise.all([
      import('../specialists/registry.ts'),
      import('../scheduler/drive-study.ts'),
      import('../worker/await-remote-trial.ts'),
    ]);
    const specialists = options.specialists ?? this.task.specialists.map((spec) => createSpecialist(spec, this.task));
    if (options.remote && !isQueueStore(this.store, options.sameHost ?? false)) {
      throw new AutolabError('UsageError', '--remote queues trials for workers on other hosts, which needs a store they share', {
        hint: 'give the driver and its workers the same --store postgres://USER:PASSWORD@HOST:5432/DB',
      });
    }
    if (options.memory !== undefined) this.memoryUse = options.memory;
    const { runtime, baseline, recovery } = await this.prepare(options.kill ?? new AbortController().signal, { remote: options.remote ?? false });
    options.onReady?.({ baseline, incumbent: await this.incumbent(), recovery });
    const adopted = recovery.adopt.filter((trial) => trial.id !== 0);
    return withResearchMemory(runtime, this.events, () =>
      driveStudy(runtime, specialists, { ...driveOptionsFor(this.task, specialists, options, options.remote ? remoteTrials(runtime) : null), adopt: adopted }),
    );
  }

  /**
   * What `autolab worker` does: claims trials that drivers queued (`run({ remote: true })`)
   * from the shared store and evaluates them here, renewing their leases, until a stop
   * rule fires (`stop`, `idleExitMs`, `maxTrials`). Running trials always finish (or
   * are stopped on `kill`) before it resolves. Open the study with `waitForStudy` when
   * the worker may start before its driver.
   *
   * @example
   * const summary = await study.work({ idleExitMs: 600_000, log: console.log });
   */
  async work(options: StudyWorkOptions = {}): Promise<WorkerSummary> {
    const work = workOptionsFor(this.task, this.store, options);
    const runtime = (await this.runtime({ recover: false, setup: true })).runtime;
    const { workStudy } = await import('../worker/work-study.ts');
    return withResearchMemory(runtime, this.events, () => workStudy(runtime, work));
  }

  /**
   * Makes the study ready to run trials: the private workspace and evaluator checkout,
   * recovery after dead drivers, the task's setup, and the measured baseline. With
   * `remote` (`autolab run --remote`), trials run on `autolab worker`s: the setup is
   * theirs, and an absent baseline is queued for them and waited for. `run` calls it;
   * tools that evaluate by hand use the runtime it returns.
   */
  async prepare(signal: AbortSignal, options: { remote?: boolean; adopt?: 'all' | 'baseline' } = {}): Promise<{ runtime: StudyRuntime; baseline: TrialRecord; recovery: RecoveryReport }> {
    const { runtime, recovery } = await this.runtime({ recover: options.adopt ?? 'all', setup: !options.remote });
    const adoptBaseline = recovery.adopt.some((trial) => trial.id === 0);
    const baseline = await ensureBaseline(runtime, signal, { queue: options.remote ?? false, adopt: adoptBaseline });
    return { runtime, baseline, recovery };
  }

  /**
   * The runtime of this process: workspace, isolating executor, evaluator checkout; with
   * `recover`, recovery after dead drivers first (a worker on another host cannot tell
   * which local processes are alive, so it does not); with `setup`, the task's setup.
   */
  private async runtime(steps: { recover: false | 'all' | 'baseline'; setup: boolean }): Promise<{ runtime: StudyRuntime; recovery: RecoveryReport }> {
    if (!this.judgingMatches) throw taskChanged(this.name);
    const workspace = await this.workspace();
    const policy = await this.isolationPolicy(workspace);
    const executor = new IsolatingExecutor(this.executor(), policy);
    const recovery =
      steps.recover === false
        ? { interrupted: [], adopt: [], reapedProcesses: 0 }
        : await recoverStudy({ store: this.store, studyId: this.record.id, executor: this.executor(), workspace, paths: this.paths, owner: this.owner, adopt: steps.recover, ladder: this.task.fidelity !== undefined });
    for (const trialId of recovery.interrupted) this.events.emit('trial.recovered', { trialId, label: 'interrupted' });
    for (const trial of recovery.adopt) this.events.emit('trial.adopted', { trialId: trial.id });
    const evaluatorDir = await workspace.evaluatorDir();
    const runtime: StudyRuntime = {
      task: this.task,
      store: this.store,
      studyId: this.record.id,
      studyName: this.record.name,
      workspace,
      executor,
      owner: this.owner,
      paths: this.paths,
      events: this.events,
      baselineCommit: workspace.baselineCommit,
      evaluatorDir,
      repeatsTogether: repeatsTogether(this.task),
      ...this.levelExecutors(policy),
      ...(this.storeFile !== null && this.storeFile !== ':memory:' ? { storeFile: this.storeFile } : {}),
    };
    this.memoryHandle ??= await openStudyMemory(this.task, this.store, this.record.name, this.memoryUse);
    if (this.memoryHandle) runtime.memory = { ...this.memoryHandle.memory, use: this.memoryUse ?? this.memoryHandle.memory.use };
    if (steps.setup) await ensureSetup({ task: this.task, paths: this.paths, studyName: this.record.name, evaluatorDir, executor, owner: this.owner, events: this.events });
    return { runtime, recovery };
  }

  /** The executors of the fidelity levels that name their own executor keys (none without such a level). */
  private levelExecutors(policy: TrialIsolationPolicy): Pick<StudyRuntime, 'levelExecutors'> {
    const levels = this.task.fidelity?.levels ?? [];
    if (!levels.some((level) => level.executor !== undefined)) return {};
    const onWarning = (message: string) => this.events.emit('warning', { code: 'executor', message });
    return { levelExecutors: levels.map((level) => (level.executor === undefined ? null : new IsolatingExecutor(executorForTask({ ...this.task, executor: level.executor }, { onWarning }), policy))) };
  }

  /**
   * How trial code is isolated (decided once per Study: bwrap where it works, see
   * `resolveSandboxMode`); the warning about a missing sandbox is emitted once.
   */
  async isolationPolicy(workspace: Workspace): Promise<TrialIsolationPolicy> {
    if (this.isolationCache) return this.isolationCache;
    const { mode, warning } = await resolveSandboxMode(this.task);
    if (warning) this.events.emit('warning', warning);
    this.isolationCache = { task: this.task, paths: this.paths, gitDir: workspace.layout.gitDir, sandbox: mode };
    return this.isolationCache;
  }

  /**
   * The executor of this study's phase commands, from the task's `executor:` key (made
   * once): local by default; with Slurm, the run (and optionally preflight) phases are
   * sbatch jobs while setup and score stay on this machine, next to the held-out data.
   */
  executor(): Executor {
    this.executorCache ??= executorForTask(this.task, { onWarning: (message) => this.events.emit('warning', { code: 'executor', message }) });
    return this.executorCache;
  }

  /** The private workspace (opened on first use; imports the baseline once). */
  async workspace(): Promise<Workspace> {
    if (this.workspaceCache) return this.workspaceCache;
    await mkdir(this.paths.study, { recursive: true });
    const { workspace, warnings } = await openWorkspace({
      root: this.task.root,
      repo: this.task.repo,
      baseline: this.task.baseline,
      baselineCommit: this.record.baselineCommit,
      study: this.record.name,
    });
    for (const warning of warnings) this.events.emit('warning', warning);
    if (this.record.baselineCommit === null) {
      await this.store.setBaselineCommit(this.record.id, workspace.baselineCommit);
      this.record.baselineCommit = workspace.baselineCommit;
    }
    this.workspaceCache = workspace;
    return workspace;
  }

  /**
   * Evaluates a proposal made outside autolab through the same legality, run, score
   * and acceptance as every other trial, and records it. Safe while `run` drives the
   * same study in another process.
   *
   * @example
   * const trial = await study.submit({ specialist: 'manual', parent: 0, hypothesis: 'wider', edit: { kind: 'patch', patch } }, signal);
   */
  async submit(proposal: Proposal, signal: AbortSignal): Promise<TrialRecord> {
    if (proposal.parent !== 0) await this.assertLegalLineage(proposal.parent, 'build on');
    const { runtime } = await this.prepare(signal, { adopt: 'baseline' });
    const admitted = admitEdit(proposal.edit, this.task.limits); // an edit over the limits is not stored, only summarised
    const trial = await this.store.createTrial(this.record.id, {
      specialist: proposal.specialist,
      parent: proposal.parent,
      hypothesis: proposal.hypothesis,
      notes: notesWithSummary(proposal.notes ?? '', admitted),
      expectedDelta: proposal.expectedDelta ?? null,
      seed: this.task.seed,
      edit: admitted.edit,
      cost: proposal.cost ?? null,
      owner: this.owner,
    });
    this.events.emit('trial.created', trialCreatedEvent(trial));
    const heartbeat = setInterval(() => void this.store.heartbeat(this.record.id, [trial.id]).catch(() => undefined), 2_000);
    try {
      const { evaluateTrial } = await import('../evaluator/evaluate-trial.ts');
      return await withResearchMemory(runtime, this.events, () => evaluateTrial(runtime, trial, { index: 0, gpu: this.task.gpus[0] ?? null }, signal));
    } finally {
      clearInterval(heartbeat);
    }
  }

  /**
   * Throws `IllegalLineage` when trial `id` is an illegal edit or builds on one (a parent
   * for `submit`, a trial to `export`), `NotFound` when there is no such trial.
   *
   * @example
   * await study.assertLegalLineage(5, 'export'); // IllegalLineage: trial #5 builds on trial #3, an illegal edit (...)
   */
  async assertLegalLineage(id: number, purpose: 'build on' | 'export'): Promise<TrialRecord> {
    const trial = await this.trial(id);
    const illegal = illegalInLineage(id, await this.trials());
    const hint = purpose === 'export' ? 'export the incumbent (`autolab best` names it) or another legal trial' : 'build on the incumbent (leave out --parent) or on another legal trial';
    if (illegal !== null) throw new AutolabError('IllegalLineage', `cannot ${purpose} trial #${id}: ${describeIllegalLineage(id, illegal)}`, { hint });
    if (purpose === 'export' && trial.commit !== null) {
      // A trial that never finished its legality check (interrupted after materialise) carries no label to refuse: judge its tree.
      const workspace = await this.workspace();
      const { changed } = await workspace.changesBetween(workspace.baselineCommit, trial.commit);
      const { illegal: forbidden } = checkCumulative({ changed, protectedPaths: this.task.protected, statePaths: studyStatePaths({ task: this.task, paths: this.paths, ...(this.storeFile !== null && this.storeFile !== ':memory:' ? { storeFile: this.storeFile } : {}) }), limits: this.task.limits });
      if (forbidden.length > 0) throw new AutolabError('IllegalLineage', `cannot export trial #${id}: its tree changes what no trial may change (${forbidden.slice(0, 3).join('; ')})`, { hint });
    }
    return trial;
  }

  trials(filter?: TrialFilter): Promise<TrialRecord[]> {
    return this.store.listTrials(this.record.id, filter);
  }

  async trial(id: number): Promise<TrialRecord> {
    const trial = await this.store.getTrial(this.record.id, id);
    if (!trial) throw new AutolabError('NotFound', `study '${this.name}' has no trial #${id}`, { hint: 'list them with `autolab trials`' });
    return trial;
  }

  async incumbent(): Promise<TrialRecord | null> {
    return this.store.getIncumbent(this.record.id);
  }

  /** The lineage feedback exactly as the named specialist (or a person) would see it. */
  async lineage(options: { viewer?: string; controlArm?: boolean } = {}): Promise<LineageFeedback> {
    const trials = await this.trials();
    const notes = await fidelityNotes({ task: this.task, store: this.store, studyId: this.record.id }, trials);
    return buildLineageFeedback(trials, { study: this.name, objective: this.task.objective, ...options, ...notes });
  }

  async close(): Promise<void> {
    await this.workspaceCache?.settle(); // worktrees removed in the background
    await this.memoryHandle?.close();
    await this.store.close();
  }
}
