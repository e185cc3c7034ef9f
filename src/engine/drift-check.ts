/**
 * Drift of evaluator-owned files: the score and setup phases always use the study's
 * baseline copy of the protected files and of the files the setup command names, so an
 * edit made on disk after the study began (a fixed `score.py`, a new `prepare.py`) is
 * silently NOT used. On resume, `autolab run` warns about such files, and `--strict`
 * refuses to go on.
 */
import { lstat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { AutolabError } from '../core/errors.ts';
import { matchesAny } from '../core/glob.ts';
import type { TaskSpec } from '../core/task.ts';
import { git } from '../workspace/git.ts';

/** One evaluator-owned file whose copy on disk differs from the baseline's. */
export interface DriftedFile {
  /** Relative to the recipe root. */
  path: string;
  change: 'modified' | 'deleted';
  /** Why the file is evaluator-owned. */
  role: 'protected' | 'setup';
}

export interface DriftCheckInput {
  task: Pick<TaskSpec, 'repo' | 'protected' | 'setup' | 'taskFile'>;
  /** The private repo holding the baseline commit. */
  gitDir: string;
  baselineCommit: string;
  /** `git`: the recipe is a git work tree (hashes use its own attributes); `folder`: a plain folder. */
  source: 'git' | 'folder';
}

/**
 * The files of the recipe named by the setup command (`node prepare.js`, `bash
 * scripts/get.sh data`): each word that is a path of the baseline's tree.
 *
 * @example setupFiles('python3 prepare.py --out data && bash get.sh', new Set(['prepare.py', 'get.sh'])) // ['prepare.py', 'get.sh']
 */
export function setupFiles(command: string, tree: ReadonlySet<string>): string[] {
  const words = command.split(/[\s;&|()<>]+/).map((word) => word.replace(/^['"]|['"]$/g, '').replace(/^\.\//, ''));
  return [...new Set(words.filter((word) => word !== '' && tree.has(word)))];
}

/**
 * The protected and setup files whose copy on disk (in the recipe folder) differs from
 * the study's baseline commit: modified or deleted. The task file itself is left out
 * (the judging hash already guards the parts of it that judge trials; budgets may change).
 *
 * @example
 * const drift = await findRecipeDrift({ task, gitDir: workspace.gitDir, baselineCommit, source: 'git' });
 * if (drift.length > 0) console.warn(describeDrift(drift, baselineCommit));
 */
export async function findRecipeDrift(input: DriftCheckInput): Promise<DriftedFile[]> {
  const listing = await git(['ls-tree', '-r', '-z', '--full-tree', input.baselineCommit], { gitDir: input.gitDir });
  const blobs = new Map<string, string>();
  for (const entry of listing.split('\0')) {
    const match = /^(\d+) blob ([0-9a-f]+)\t(.+)$/s.exec(entry);
    if (match && match[1] !== '120000') blobs.set(match[3]!, match[2]!);
  }
  const taskFile = relative(input.task.repo, input.task.taskFile);
  const roles = new Map<string, DriftedFile['role']>();
  for (const path of blobs.keys()) if (path !== taskFile && matchesAny(path, input.task.protected)) roles.set(path, 'protected');
  if (input.task.setup) for (const path of setupFiles(input.task.setup.command, new Set(blobs.keys()))) if (path !== taskFile && !roles.has(path)) roles.set(path, 'setup');
  if (roles.size === 0) return [];

  const drift: DriftedFile[] = [];
  const present: string[] = [];
  for (const [path, role] of roles) {
    const stats = await lstat(join(input.task.repo, path)).catch(() => null);
    if (stats === null || !stats.isFile()) drift.push({ path, change: 'deleted', role });
    else present.push(path);
  }
  if (present.length > 0) {
    const hashed = (
      input.source === 'git'
        ? await git(['hash-object', '--stdin-paths'], { cwd: input.task.repo, profile: 'user', input: present.map((path) => join(input.task.repo, path)).join('\n') + '\n' })
        : await git(['hash-object', '--no-filters', '--stdin-paths'], { gitDir: input.gitDir, input: present.map((path) => join(input.task.repo, path)).join('\n') + '\n' })
    )
      .trim()
      .split('\n');
    present.forEach((path, index) => {
      if (hashed[index] !== blobs.get(path)) drift.push({ path, change: 'modified', role: roles.get(path)! });
    });
  }
  return drift.sort((a, b) => a.path.localeCompare(b.path));
}

/** One sentence naming the drifted files and what it means. */
export function describeDrift(drift: readonly DriftedFile[], baselineCommit: string): string {
  const files = drift.map((file) => `${file.path} (${file.role === 'setup' ? 'named by setup, ' : ''}${file.change})`).join(', ');
  return (
    `evaluator-owned files differ on disk from the study's baseline (commit ${baselineCommit.slice(0, 12)}): ${files}. ` +
    'The study keeps using the baseline copies for setup and scoring, so these changes are NOT used'
  );
}

/** What to do about drift: a fresh study to use the new files, or restore them. */
export function driftHint(drift: readonly DriftedFile[], freshCommand: string): string {
  const names = drift.map((file) => file.path).slice(0, 3).join(' ');
  return `to judge with the new files, commit them and start a new study: \`${freshCommand}\` (the old one is kept under another name); to keep this study as it is, restore them in the recipe folder (e.g. \`git checkout -- ${names}\`)`;
}

/**
 * Throws when `strict` and there is drift (`run --strict`); otherwise returns the
 * warning message, or null when nothing drifted.
 */
export function checkDrift(drift: readonly DriftedFile[], baselineCommit: string, options: { strict: boolean; freshCommand: string }): string | null {
  if (drift.length === 0) return null;
  const message = describeDrift(drift, baselineCommit);
  if (options.strict) throw new AutolabError('RecipeDrift', `${message}; --strict refuses to resume`, { hint: driftHint(drift, options.freshCommand) });
  const hint = driftHint(drift, options.freshCommand);
  return `${message}. ${hint[0]!.toUpperCase()}${hint.slice(1)}`;
}
