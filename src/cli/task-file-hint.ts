/**
 * The hint for "no task file here": the task files found below the folder, and the
 * user's own command again with the PATH that would have worked, so that a user who ran
 * `autolab run examples/golf` and then `autolab show 23` from the same folder is told
 * `autolab show examples/golf 23`.
 */
import { readdir } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { TASK_FILE_NAMES } from '../task/load-task.ts';
import { programName, shellWord } from './invocation.ts';

const SKIPPED_FOLDERS = new Set(['node_modules', '.git', '.autolab', '.venv', 'venv', '__pycache__', 'dist', 'build']);

/**
 * Folders below `root` (itself excluded, at most `depth` levels down) holding a task
 * file, as paths relative to `from`, sorted; at most `limit`.
 *
 * @example await findTaskFoldersBelow('/repo', '/repo') // ['examples/digits-speedrun', 'examples/golf']
 */
export async function findTaskFoldersBelow(root: string, from: string, options: { depth?: number; limit?: number } = {}): Promise<string[]> {
  const depth = options.depth ?? 3;
  const limit = options.limit ?? 8;
  const found: string[] = [];
  const visit = async (folder: string, level: number): Promise<void> => {
    if (found.length >= limit * 4) return;
    const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
    if (level > 0 && entries.some((entry) => entry.isFile() && (TASK_FILE_NAMES as readonly string[]).includes(entry.name))) {
      found.push(relative(from, folder) || '.');
    }
    if (level >= depth) return;
    for (const entry of entries) {
      if (entry.isDirectory() && !SKIPPED_FOLDERS.has(entry.name) && !entry.name.startsWith('.')) await visit(join(folder, entry.name), level + 1);
    }
  };
  await visit(resolve(root), 0);
  return found.sort().slice(0, limit);
}

/** The words of a command line with `path` inserted after the command name (the first word that is no option). */
export function withPathInserted(argv: readonly string[], path: string): string[] {
  const at = argv.findIndex((word) => !word.startsWith('-'));
  if (at < 0) return [...argv, path];
  return [...argv.slice(0, at + 1), path, ...argv.slice(at + 1)];
}

/**
 * The hint when `folder` holds no task file. `argv` is the user's command (without the
 * program name) when they named no PATH and no `--task`; it is then repeated with the
 * PATH of each task file found below.
 */
export async function missingTaskFileHint(folder: string, argv: readonly string[] | null, options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  const cwd = options.cwd ?? process.cwd();
  const bin = programName(options.env);
  const below = await findTaskFoldersBelow(folder, cwd);
  const init = `create one here with \`${bin} init\` (\`${bin} init --scan train.py\` proposes knobs from your script)`;
  if (below.length === 0) return `name the folder that holds autolab.yaml (as PATH or --task PATH), or ${init}`;
  if (argv !== null) {
    const commands = below.slice(0, 3).map((path) => `\`${bin} ${withPathInserted(argv, path).map(shellWord).join(' ')}\``);
    const more = below.length > 3 ? ` (task files also in ${below.slice(3).join(', ')})` : '';
    return `this folder holds no task file; name the recipe's: ${commands.join(' or ')}${more}, or use --task PATH`;
  }
  return `task files below: ${below.join(', ')}; name one as PATH or --task PATH, or ${init}`;
}
