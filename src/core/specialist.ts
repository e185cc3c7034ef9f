import type { TrialLevelRecord } from './fidelity.ts';
import type { ParentChoice } from './parent-strategy.ts';
import type { LineageFeedback } from './lineage.ts';
import type { SpecialistSpec, SurfaceSpec, TaskSpec } from './task.ts';
import type { AutolabWarning } from './errors.ts';
import type { SessionOutcome, SessionTranscript, StudyNote } from './session-archive.ts';
import type { KnobPriorObservation } from './technique-card.ts';
import type { Proposal, TrialCost, TrialRecord } from './trial.ts';
import type { TrialHistory } from './trial-history.ts';

export type { SessionOutcome } from './session-archive.ts';

/**
 * What one session of a specialist (one `propose` call) spent and how it ended, whether
 * it produced a proposal or not. The scheduler reads it right after `propose` settles to
 * record the cost of sessions that proposed nothing and count it against `budget.usd`.
 */
export interface SessionReport {
  outcome: SessionOutcome;
  /** Why it ended, in words (`submitted`, `step limit of 30 reached without submit`). */
  reason: string;
  cost: TrialCost;
  /** Model calls (llm) or 1 (command). */
  steps: number;
  toolCalls: number;
  retries: number;
  warnings: AutolabWarning[];
  /** The whole conversation, for the session archive (llm and command sessions give it). */
  transcript?: SessionTranscript;
  /** The archive id the session was given up front (its notes name it). */
  sessionId?: string;
}

/**
 * The study's knowledge base and blackboard as a specialist reaches them (present when
 * the store keeps a research memory).
 */
export interface StudyKnowledgeAccess {
  /** Adds an attributed, timestamped note that every later session sees. */
  recordNote(author: string, text: string, sessionId: string | null): Promise<StudyNote>;
  /** The knowledge base as Markdown: leaderboard, hypothesis tree with effects, failures by cause, notes. */
  read(): Promise<string>;
  /** Technique cards from earlier studies relevant to this one, as Markdown; '' when memory is off or has none. */
  memoryCards(): Promise<string>;
  /** Earlier studies' measured trials on knobs named `knobNames` (knob priors); [] when memory is off. */
  knobPriors(knobNames: readonly string[]): Promise<KnobPriorObservation[]>;
}

/**
 * A private git worktree at a trial's commit where a specialist may edit freely (an LLM
 * agent's tools, an external coding CLI, a merge). Nothing in it counts until its diff
 * travels inside a proposal; the engine materialises and judges that like any edit.
 * The caller owns `release()`.
 */
export interface ScratchWorktree {
  /** Absolute path of the worktree. */
  readonly dir: string;
  /** The trial whose commit it started from. */
  readonly parent: number;
  readonly parentCommit: string;
  /** Applies a unified diff; with `threeWay`, merges it (conflicts are reported, not left). */
  applyPatch(patch: string, options?: { threeWay?: boolean }): Promise<{ ok: true } | { ok: false; error: string; conflicts: string[] }>;
  /** Every change made in the worktree against the parent commit, as a unified diff. */
  diff(): Promise<string>;
  /** Paths changed against the parent commit. */
  changedPaths(): Promise<string[]>;
  /** Runs the task's preflight (if any) in this worktree. */
  runPreflight(signal?: AbortSignal): Promise<{ ok: boolean; output: string }>;
  /** Removes the worktree. Safe to call twice. */
  release(): Promise<void>;
}

/** File-level tools for specialists, scoped to the study's private repo. */
export interface SpecialistWorkspace {
  /** A fresh scratch worktree at the commit of `parentTrialId`. */
  createScratch(parentTrialId: number): Promise<ScratchWorktree>;
  /** The unified diff from one trial's commit to another's. */
  diffBetween(fromTrialId: number, toTrialId: number): Promise<string>;
}

/** Everything a specialist may look at before it proposes. Read-only. */
export interface ProposalContext {
  task: TaskSpec;
  /** The specialist's own surface (its edit radius). */
  surface: SurfaceSpec;
  /** The trial to build on: the incumbent, or the parent the specialist's parent strategy chose (`parentChoice`). */
  incumbent: TrialRecord;
  /** The parent strategy's choice, when the specialist declares `parents:` (the engine notes it on the proposal). */
  parentChoice?: ParentChoice;
  /**
   * The study's trials so far: the newest in memory (`history.recent`, oldest first),
   * any other through narrow queries (`get`, `list`, `ancestors`), so that a long study
   * does not have to be held in memory (src/core/trial-history.ts).
   */
  history: TrialHistory;
  lineage: LineageFeedback;
  /**
   * With a fidelity ladder: every trial's measurement at each level so far (so that
   * samplers learn from all levels without mixing their scores: `multiFidelityScores`).
   */
  fidelityLevels?: readonly TrialLevelRecord[];
  /** Reads a recipe file (path relative to the recipe root) at a trial's commit; null when absent. */
  readFile(trialId: number, path: string): Promise<string | null>;
  /** Scratch worktrees and diffs, for specialists that edit files. */
  workspace: SpecialistWorkspace;
  /** Uniform [0, 1), seeded per study so searches replay. */
  random(): number;
  signal: AbortSignal;
  /** The knowledge base, notes and memory (absent when the store keeps no research memory). */
  knowledge?: StudyKnowledgeAccess;
}

/**
 * The Specialist port: a proposer bound to a surface with a role.
 *
 * `propose` returns one proposal, or null when it has nothing to offer now (the
 * scheduler then asks another specialist, or stops when none has anything). It must
 * not write to the recipe: edits travel inside the proposal and are materialised by
 * the engine. A specialist that throws is recorded as a warning and skipped for that
 * round; it never stops the study. Calls on one specialist are never concurrent.
 */
export interface Specialist {
  readonly spec: SpecialistSpec;
  propose(context: ProposalContext): Promise<Proposal | null>;
  /**
   * Optional, for specialists whose sessions spend money or can end for a reason worth
   * recording (llm, command): the report of the last `propose` call, once, then null.
   */
  takeSessionReport?(): SessionReport | null;
}

export type SpecialistFactory = (spec: SpecialistSpec, task: TaskSpec) => Specialist;
