/**
 * The scratch worktree of one agent session, which `rebase` may switch to another
 * trial's commit, and the proposal the agent submitted from it. No two sessions share
 * a worktree: each session creates its own and releases it when it ends.
 */
import type { ProposalContext, ScratchWorktree } from '../../core/specialist.ts';
import { describeIllegalLineage, illegalInLineage } from '../../core/lineage-legality.ts';
import type { TrialRecord } from '../../core/trial.ts';
import { ToolFailure } from './recipe-files.ts';

export interface Submission {
  parent: number;
  hypothesis: string;
  expectedDelta?: number;
  notes?: string;
  patch: string;
}

export class AgentWorkspace {
  submission: Submission | null = null;

  private constructor(
    private readonly context: ProposalContext,
    private current: ScratchWorktree,
  ) {}

  /** A session's scratch worktree at `parent` (the incumbent by default). */
  static async open(context: ProposalContext, parent: number): Promise<AgentWorkspace> {
    return new AgentWorkspace(context, await context.workspace.createScratch(parent));
  }

  get scratch(): ScratchWorktree {
    return this.current;
  }

  get dir(): string {
    return this.current.dir;
  }

  get parent(): number {
    return this.current.parent;
  }

  /**
   * Moves the session to a fresh scratch worktree at `trialId`'s commit. With
   * `keepEdits`, the current edits are merged onto it (conflicts are reported and the
   * session stays where it was).
   */
  async rebase(trialId: number, keepEdits: boolean): Promise<string> {
    const target = await this.context.history.get(trialId);
    if (!target) throw new ToolFailure(`there is no trial #${trialId}; read_lineage or leaderboard lists them`);
    if (target.commit === null && target.id !== 0) throw new ToolFailure(`trial #${trialId} has no commit (${describe(target)}); pick a trial that was materialised`);
    const illegal = illegalInLineage(trialId, await this.context.history.ancestors(trialId));
    if (illegal !== null) throw new ToolFailure(`refused: ${describeIllegalLineage(trialId, illegal)}; rebase on the incumbent or another legal trial`);
    if (trialId === this.current.parent && !keepEdits) {
      const patch = await this.current.diff();
      if (patch === '') return `already at trial #${trialId} with no edits`;
    }
    const edits = keepEdits ? await this.current.diff() : '';
    const next = await this.context.workspace.createScratch(trialId);
    if (edits !== '') {
      const applied = await next.applyPatch(edits, { threeWay: true });
      if (!applied.ok) {
        await next.release();
        throw new ToolFailure(`your edits do not apply on trial #${trialId}: ${applied.error}; you are still at trial #${this.current.parent}. Rebase without keep_edits and redo them.`);
      }
    }
    const previous = this.current;
    this.current = next;
    await previous.release();
    return `your scratch copy is now at trial #${trialId} (${describe(target)})${edits !== '' ? ', with your edits carried over' : keepEdits ? '' : '; earlier edits were dropped'}`;
  }

  async release(): Promise<void> {
    await this.current.release();
  }
}

function describe(trial: TrialRecord): string {
  if (trial.status === 'failed') return `failed: ${trial.label}`;
  return trial.score === null ? trial.status : `${trial.status}, score ${trial.score}`;
}
