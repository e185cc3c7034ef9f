import { AutolabError } from '../core/errors.ts';
import { existsSync } from 'node:fs';
import { openStudy, type OpenStudyOptions, type Study } from '../engine/open-study.ts';
import { openStudyFromStore } from '../engine/open-study-from-store.ts';
import { commandFor, invocationOf } from './invocation.ts';
import type { StudyCommandOptions } from './arguments.ts';

export { parsePositiveNumber, parseTrialId, taskPathOf, type StudyCommandOptions } from './arguments.ts';

/**
 * A command line for a hint, in the user's own terms (their PATH or --task, --store, --study).
 *
 * @example hintCommand(options, 'show', ['23']) // 'autolab show examples/golf 23'
 */
export function hintCommand(options: StudyCommandOptions, command: string, args: readonly string[] = [], flags: readonly string[] = []): string {
  return commandFor(options.invocation ?? invocationOf(undefined, options), command, args, flags);
}

/**
 * Whether a reading command works from the store alone: `--store` (or AUTOLAB_STORE)
 * given, and no task file named (no PATH, --task or AUTOLAB_TASK) nor found in the
 * current folder.
 */
export function storeOnly(path: string, options: StudyCommandOptions): boolean {
  const store = options.store ?? process.env.AUTOLAB_STORE;
  if (store === undefined || options.invocation?.path !== undefined || options.task !== undefined || process.env.AUTOLAB_TASK !== undefined) return false;
  return path === '.' && !existsSync('autolab.yaml') && !existsSync('autolab.yml');
}

/**
 * Opens the study a command names and hands it to `work`, closing it after. With only a
 * store (see `storeOnly`), the study is read from the store: its recorded task, no task
 * folder needed (`autolab status --store URL --study NAME` from any host).
 */
export async function withStudy<T>(path: string, options: StudyCommandOptions, extra: Omit<OpenStudyOptions, 'store' | 'study'>, work: (study: Study) => Promise<T>): Promise<T> {
  const open: OpenStudyOptions = { ...extra };
  const store = options.store ?? process.env.AUTOLAB_STORE;
  if (store !== undefined) open.store = store;
  if (options.study !== undefined) open.study = options.study;
  try {
    const opening = extra.create !== true && store !== undefined && storeOnly(path, options) ? openStudyFromStore(store, options.study) : openStudy(path, open);
    const study = await opening.catch((error: unknown) => {
      // openStudy's hint cannot know how the user called us: give the command that starts the study from here.
      if (AutolabError.is(error) && error.name === 'NotFound' && error.message.startsWith('there is no study named')) {
        throw new AutolabError('NotFound', error.message, { cause: error, hint: `start it with \`${hintCommand(options, 'run')}\`` });
      }
      throw error;
    });
    try {
      return await work(study);
    } finally {
      await study.close();
    }
  } catch (error) {
    throw withLocalHint(error, options);
  }
}

/**
 * The library's hints name commands without the user's PATH (`autolab run --fresh`);
 * this rewrites them into commands that work where the user stands.
 *
 * @example localHint('start a new study with `autolab run --fresh`', { invocation: { bin: 'autolab', path: 'golf' } }) // 'start a new study with `autolab run golf --fresh`'
 */
export function localHint(hint: string, options: StudyCommandOptions): string {
  const fresh = hintCommand(options, 'run', [], ['--fresh']);
  return hint
    .replace(/`autolab run --fresh`/g, `\`${fresh}\``)
    .replace(/run again with --fresh/g, `run \`${fresh}\``)
    .replace(/`autolab (show|checkout) (\d+)`/g, (_match, command: string, id: string) => `\`${hintCommand(options, command, [id])}\``)
    .replace(/`autolab (run|trials|status)`/g, (_match, command: string) => `\`${hintCommand(options, command)}\``);
}

function withLocalHint(error: unknown, options: StudyCommandOptions): unknown {
  if (!AutolabError.is(error) || error.hint === undefined) return error;
  const hint = localHint(error.hint, options);
  if (hint === error.hint) return error;
  const local = new AutolabError(error.name, error.message, { cause: error.cause ?? error, hint });
  return local;
}
