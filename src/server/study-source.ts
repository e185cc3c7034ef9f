/**
 * What the server knows about one study beyond its store rows: the task it was created
 * with (objective, folders), where its logs live, and, when the private repo is on this
 * machine, the workspace to diff any two trials with.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { StudyRecord } from '../core/study.ts';
import type { Objective } from '../core/task.ts';
import { studyPaths, workspaceLayout, type StudyPaths } from '../layout/autolab-layout.ts';
import { openWorkspace, type Workspace } from '../workspace/workspace.ts';

/** The parts of the stored task the dashboard reads. */
export interface StoredTask {
  name: string;
  objective: Objective;
  /** The task folder (`.autolab/` lives here), when recorded. */
  root: string | null;
  repo: string | null;
  /** Names of the specialists the task declares. */
  specialists: string[];
  /** The fidelity ladder's levels (name, scale), or null for a task without one. */
  fidelity: { levels: Array<{ name: string; scale?: number }> } | null;
}

/** The ladder's level names and scales from a stored task's `fidelity`, or null. */
function storedLadder(fidelity: unknown): StoredTask['fidelity'] {
  const levels = (fidelity as { levels?: unknown } | null | undefined)?.levels;
  if (!Array.isArray(levels) || levels.length === 0) return null;
  return {
    levels: levels.map((level: { name?: unknown; scale?: unknown }, index) => ({
      name: typeof level?.name === 'string' ? level.name : `level ${index}`,
      ...(typeof level?.scale === 'number' ? { scale: level.scale } : {}),
    })),
  };
}

/** Reads the task JSON a study was created with; tolerant of older or partial shapes. */
export function storedTask(study: StudyRecord): StoredTask {
  let raw: Record<string, unknown> = {};
  try {
    raw = JSON.parse(study.taskJson) as Record<string, unknown>;
  } catch {
    // A study whose task JSON does not parse still shows its trials.
  }
  const objective = (raw.objective ?? {}) as Partial<Objective>;
  return {
    name: typeof raw.name === 'string' ? raw.name : study.name,
    objective: { metric: typeof objective.metric === 'string' ? objective.metric : 'score', direction: objective.direction === 'maximize' ? 'maximize' : 'minimize' },
    root: typeof raw.root === 'string' ? raw.root : null,
    repo: typeof raw.repo === 'string' ? raw.repo : null,
    specialists: Array.isArray(raw.specialists) ? raw.specialists.map((spec) => String((spec as { name?: unknown }).name ?? '')).filter(Boolean) : [],
    fidelity: storedLadder(raw.fidelity),
  };
}

export class StudySource {
  readonly task: StoredTask;
  /** Where the study's logs and artifacts live (null when its task folder is unknown). */
  readonly paths: StudyPaths | null;
  private workspacePromise: Promise<Workspace | null> | null = null;

  constructor(
    readonly record: StudyRecord,
    /** The task folder, when the server was started on a task file; else the recorded one. */
    rootOverride: string | null,
  ) {
    this.task = storedTask(record);
    const root = rootOverride ?? this.task.root;
    this.paths = root !== null && existsSync(join(root, '.autolab')) ? studyPaths(root, record.name) : null;
  }

  /**
   * The private workspace, when its repo exists on this machine (never imported from
   * here: a dashboard does not create state); null otherwise.
   */
  workspace(): Promise<Workspace | null> {
    this.workspacePromise ??= this.openWorkspace();
    return this.workspacePromise;
  }

  private async openWorkspace(): Promise<Workspace | null> {
    if (this.paths === null || this.task.repo === null || this.record.baselineCommit === null) return null;
    const root = join(this.paths.state, '..');
    if (!existsSync(join(workspaceLayout(root, this.record.name).gitDir, 'HEAD')) || !existsSync(this.task.repo)) return null;
    try {
      const { workspace } = await openWorkspace({ root, repo: this.task.repo, baselineCommit: this.record.baselineCommit, study: this.record.name });
      return workspace;
    } catch {
      return null;
    }
  }
}
