/**
 * How the user called autolab, so that every hint the CLI prints ("next: ...") is a
 * command that works exactly where they stand: the same program name (`npx autolab`
 * under npm exec), the same PATH argument or `--task`, `--store` and `--study` they gave.
 */

/** What a command needs to write hints that work from the user's working folder. */
export interface Invocation {
  /** `npx autolab` when started through npm exec (npx), else `autolab`. */
  bin: string;
  /** The PATH argument exactly as typed (positional), if one was given. */
  path?: string;
  /** `--task` as typed, if given (and no positional PATH). */
  task?: string;
  /** `--store` as typed (not the AUTOLAB_STORE variable, which still holds for the next command). */
  store?: string;
  /** `--study` as typed. */
  study?: string;
}

/** The options of a study command that an invocation carries into hints. */
export interface InvocationOptions {
  task?: string;
  store?: string;
  study?: string;
}

/** The program name to print: `npx autolab` when npm exec (npx) started this process. */
export function programName(env: NodeJS.ProcessEnv = process.env): string {
  return env.npm_command === 'exec' ? 'npx autolab' : 'autolab';
}

/**
 * The invocation of a command from its positional PATH (undefined when not given) and
 * its options.
 *
 * @example invocationOf('examples/golf', {}) // { bin: 'autolab', path: 'examples/golf' }
 */
export function invocationOf(path: string | undefined, options: InvocationOptions, env: NodeJS.ProcessEnv = process.env): Invocation {
  const invocation: Invocation = { bin: programName(env) };
  if (path !== undefined) invocation.path = path;
  else if (options.task !== undefined) invocation.task = options.task;
  if (options.store !== undefined) invocation.store = options.store;
  if (options.study !== undefined) invocation.study = options.study;
  return invocation;
}

const SAFE_WORD = /^[A-Za-z0-9_./:=@%+,#-]+$/;

/** Quotes one word for a POSIX shell when it needs it. */
export function shellWord(word: string): string {
  if (word !== '' && SAFE_WORD.test(word) && !word.startsWith('#')) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * A command line that works where the user stands: `<bin> <command> [PATH] ARGS... [--task T]
 * [--store S] [--study N] OPTIONS...`, each word quoted for the shell when needed.
 *
 * @example commandFor({ bin: 'autolab', path: 'examples/golf' }, 'show', ['23']) // 'autolab show examples/golf 23'
 * @example commandFor({ bin: 'npx autolab', task: 'golf' }, 'export', ['23'], ['--patch', 'best.patch']) // 'npx autolab export 23 --task golf --patch best.patch'
 */
export function commandFor(invocation: Invocation, command: string, args: readonly string[] = [], options: readonly string[] = []): string {
  const words: string[] = [command];
  if (invocation.path !== undefined) words.push(invocation.path);
  words.push(...args);
  if (invocation.task !== undefined) words.push('--task', invocation.task);
  if (invocation.store !== undefined) words.push('--store', invocation.store);
  if (invocation.study !== undefined) words.push('--study', invocation.study);
  words.push(...options);
  return `${invocation.bin} ${words.map(shellWord).join(' ')}`;
}

/** The same invocation pointed at another task path (for "did you mean" hints). */
export function withPath(invocation: Invocation, path: string): Invocation {
  const { task: _task, path: _path, ...rest } = invocation;
  return { ...rest, path };
}

const TRIAL_NUMBER = /^#?\d+$/;

/** True when a word reads as a trial number (`12`, `#12`). */
export function looksLikeTrialNumber(word: string): boolean {
  return TRIAL_NUMBER.test(word);
}

/**
 * Splits the positional words of a command whose PATH comes first and is optional:
 * with one word more than `required`, the first is the PATH.
 *
 * @example splitLeadingPath(['examples/golf', '23'], 1) // { path: 'examples/golf', rest: ['23'] }
 * @example splitLeadingPath(['23'], 1) // { path: undefined, rest: ['23'] }
 */
export function splitLeadingPath(words: ReadonlyArray<string | undefined>, required: number): { path: string | undefined; rest: string[] } {
  const given = words.filter((word): word is string => word !== undefined);
  if (given.length > required) return { path: given[0], rest: given.slice(1) };
  return { path: undefined, rest: given };
}
