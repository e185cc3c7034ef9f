/**
 * The workspace: autolab's private git repo under `<root>/.autolab/`, trial worktrees,
 * materialising edits into commits, and exporting trials back to the user.
 */
export type { BaselineSource } from './baseline.ts';
export type { ChangedPath } from './changed-paths.ts';
export type { ExportedBranch, ExportedPatch } from './export-trial.ts';
export { GitError } from './git.ts';
export { matchesAny } from '../core/glob.ts';
export type { WorkspaceLayout } from '../layout/autolab-layout.ts';
export type { Materialised, MaterialiseFailure, MaterialiseRequest } from './materialise.ts';
export { symlinkEscapes } from './symlink-escapes.ts';
export type { UserRepoLocation } from './user-repo.ts';
export type { OpenedWorkspace, OpenWorkspaceOptions } from './workspace.ts';
export { openWorkspace, Workspace } from './workspace.ts';
