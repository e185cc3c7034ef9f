import { mkdir } from 'node:fs/promises';
import { AutolabError } from '../core/errors.ts';
import { assertStudyName } from '../core/study-name.ts';
import { TypedEmitter, type StudyEventMap } from '../core/events.ts';
import { buildLineageFeedback } from '../core/lineage-feedback.ts';
import type { LineageFeedback } from '../core/lineage.ts';
import type { Executor } from '../core/executor.ts';
import type { Store, TrialFilter } from '../core/store.ts';
import type { StudyRecord } from '../core/study.ts';
import type { TaskSpec } from '../core/task.ts';
import type { Proposal, TrialOwner, TrialRecord } from '../core/trial.ts';
import { evaluateTrial, type EvaluatorContext } from '../evaluator/evaluate-trial.ts';
import { studyPaths, type StudyPaths } from '../layout/autolab-layout.ts';
import { IsolatingExecutor, type TrialIsolationPolicy } from '../evaluator/trial-isolation.ts';
import { openStore } from '../store/open-store.ts';
import { loadTaskFile, taskJudgingHash } from '../task/load-task.ts';
import { openWorkspace, type Workspace } from '../workspace/workspace.ts';
import { ensureBaseline } from './baseline.ts';
import { currentOwner } from './owner.ts';
import { executorForTask } from './task-executor.ts';
import { recoverStudy, type RecoveryReport } from './recovery.ts';
import { resolveSandboxMode } from './sandbox-mode.ts';
import { ensureSetup } from './setup-phase.ts';

export interface OpenStudyOptions {
  /** Store location (a SQLite file path); default `<task folder>/.autolab/autolab.db`. */
  store?: string;
  /** Study name; default the task's `name`. */
  study?: string;
  /** Create the study when it does not exist (run, submit) rather than failing (status, show). */
  create?: boolean;
  /** Archive an existing study of that name and start a new one. */
  fresh?: boolean;
  events?: TypedEmitter<StudyEventMap>;
}

/**
 * A study opened from its task file: the library entry point behind every CLI command.
 *
 * @example
 * const study = await openStudy('examples/golf', { create: true });
 * await study.prepare(signal);           // setup, recovery, baseline
 * console.log(study.lineageMarkdown());
 * await study.close();
 */
export class Study {
  private evaluator: EvaluatorContext | null = null;

  constructor(
    readonly task: TaskSpec,
    readonly store: Store,
    readonly record: StudyRecord,
    readonly paths: StudyPaths,
    readonly events: TypedEmitter<StudyEventMap>,
    readonly owner: TrialOwner,
    readonly created: boolean,
  ) {}

  get name(): string {
    return this.record.name;
  }

  /**
   * Makes the study ready to run trials: the private workspace and evaluator checkout,
   * recovery after dead drivers, the task's setup, and the measured baseline. With
   * `remote` (`autolab run --remote`), trials run on `autolab worker`s: the setup is
   * theirs, and an absent baseline is queued for them and waited for.
   */
  async prepare(signal: AbortSignal, options: { remote?: boolean } = {}): Promise<{ context: EvaluatorContext; baseline: TrialRecord; recovery: RecoveryReport }> {
    const { context, recovery } = await this.evaluatorContext({ recover: true, setup: !options.remote });
    const baseline = await ensureBaseline(context, signal, { queue: options.remote ?? false });
    return { context, baseline, recovery };
  }

  /**
   * What an `autolab worker` needs to evaluate claimed trials: the workspace, the
   * evaluator checkout and the task's setup, without recovery (a worker on another host
   * cannot tell which local processes are alive) and without measuring the baseline (a
   * worker claims it from the queue like any trial).
   */
  async prepareWorker(): Promise<EvaluatorContext> {
    return (await this.evaluatorContext({ recover: false, setup: true })).context;
  }

  private async evaluatorContext(steps: { recover: boolean; setup: boolean }): Promise<{ context: EvaluatorContext; recovery: RecoveryReport }> {
    const workspace = await this.workspace();
    const executor = new IsolatingExecutor(this.executor(), await this.isolationPolicy(workspace));
    const recovery = steps.recover ? await recoverStudy({ store: this.store, studyId: this.record.id, executor, workspace, paths: this.paths }) : { interrupted: [], reapedProcesses: 0 };
    for (const trialId of recovery.interrupted) this.events.emit('trial:recovered', { trialId, label: 'interrupted' });
    const evaluatorDir = await workspace.evaluatorDir();
    this.evaluator = {
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
    };
    if (steps.setup) await ensureSetup({ task: this.task, paths: this.paths, studyName: this.record.name, evaluatorDir, executor, owner: this.owner, events: this.events });
    return { context: this.evaluator, recovery };
  }

  private isolationCache: TrialIsolationPolicy | null = null;

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

  private executorCache: Executor | null = null;

  /**
   * The executor of this study's phase commands, from the task's `executor:` key (made
   * once): local by default; with Slurm, the run (and optionally preflight) phases are
   * sbatch jobs while setup and score stay on this machine, next to the held-out data.
   */
  executor(): Executor {
    this.executorCache ??= executorForTask(this.task, { onWarning: (message) => this.events.emit('warning', { code: 'executor', message }) });
    return this.executorCache;
  }

  private workspaceCache: Workspace | null = null;

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
   */
  async submit(proposal: Proposal, signal: AbortSignal): Promise<TrialRecord> {
    const { context, baseline } = await this.prepare(signal);
    if (proposal.parent !== 0) await this.trial(proposal.parent);
    const trial = await this.store.createTrial(this.record.id, {
      specialist: proposal.specialist,
      parent: proposal.parent,
      hypothesis: proposal.hypothesis,
      notes: proposal.notes ?? '',
      expectedDelta: proposal.expectedDelta ?? null,
      seed: this.task.seed,
      edit: proposal.edit,
      cost: proposal.cost ?? null,
      owner: this.owner,
    });
    this.events.emit('trial:created', { trial });
    void baseline;
    const heartbeat = setInterval(() => void this.store.heartbeat(this.record.id, [trial.id]).catch(() => undefined), 2_000);
    try {
      return await evaluateTrial(context, trial, { index: 0, gpu: this.task.gpus[0] ?? null }, signal);
    } finally {
      clearInterval(heartbeat);
    }
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
    return buildLineageFeedback(trials, { study: this.name, objective: this.task.objective, ...options });
  }

  async close(): Promise<void> {
    await this.store.close();
  }
}

/**
 * Opens (or, with `create`, creates) the study of a task file. Refuses to resume a study
 * whose judging parts (objective, score, gates, protected paths, ...) changed since it
 * was created: that would compare trials measured differently.
 */
export async function openStudy(taskPath: string, options: OpenStudyOptions = {}): Promise<Study> {
  const { task, warnings } = await loadTaskFile(taskPath);
  const events = options.events ?? new TypedEmitter<StudyEventMap>();
  for (const warning of warnings) events.emit('warning', warning);
  const name = options.study ?? task.name;
  assertStudyName(name, options.study !== undefined ? 'the study option (--study)' : `the task file's name: in ${task.taskFile}`);
  const paths = studyPaths(task.root, name);
  await mkdir(paths.state, { recursive: true });
  const store = await openStore(options.store ?? paths.store);
  try {
    const hash = taskJudgingHash(task);
    let existing = await store.getStudy(name);
    if (existing && options.fresh) {
      const archived = `${name}@${existing.createdAt.replace(/[:.]/g, '-')}`;
      await store.renameStudy(existing.id, archived);
      events.emit('warning', { code: 'study_archived', message: `study '${name}' archived as '${archived}'; starting a fresh one` });
      existing = null;
    }
    if (!existing && !options.create) {
      throw new AutolabError('NotFound', `there is no study named '${name}' in ${options.store ?? paths.store}`, { hint: `start it with \`autolab run ${taskPath}\`` });
    }
    if (existing && existing.taskHash !== hash && options.create) {
      throw new AutolabError(
        'TaskChanged',
        `the task file changed how trials are judged since study '${name}' started (objective, setup, run or score command, gates, protected paths, limits or acceptance)`,
        { hint: `start a new study with \`autolab run --fresh\` (the old one is kept under another name), or \`--study NEW_NAME\`; undo the change to resume` },
      );
    }
    const { study, created } = await store.openStudy({ name, taskHash: hash, taskJson: JSON.stringify(task) });
    if (!created) await store.setTask(study.id, hash, JSON.stringify(task));
    if (created) await mkdir(paths.study, { recursive: true });
    events.emit('study:opened', { study, resumed: !created });
    return new Study(task, store, study, paths, events, currentOwner(), created);
  } catch (error) {
    await store.close();
    throw error;
  }
}
