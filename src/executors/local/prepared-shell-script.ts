/**
 * The text a prepared shell (process-launcher.ts) reads on its stdin to become one
 * command: a `/bin/sh` that the launcher started ahead of time, idle, with an empty
 * environment in `/`, in its own session, reads these two lines and `exec`s, so that the
 * command is what `spawn(file, args, { cwd, env, detached: true })` starts (same pid,
 * process group, session, working directory, exactly `env`, stdin `/dev/null`, stdout
 * and stderr the prepared pipes), without forking anything when the command is due.
 */

/** Where the prepared shell finds `env` (to start the command with exactly its environment). */
export const PREPARED_SHELL_ENV_PROGRAM = '/usr/bin/env';

/** One argument for the shell, single-quoted: every byte but NUL stands for itself. */
function quoted(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** A name `env` takes as `NAME=VALUE` exactly (not empty, no `=`). */
function plainEnvName(name: string): boolean {
  return name !== '' && !name.includes('=');
}

/**
 * The script that turns a prepared shell into `file args` in `cwd` with exactly `env`,
 * or null when a prepared shell cannot start it exactly (a relative program, a NUL byte,
 * a variable name `env` would read otherwise): the launcher then spawns it as before.
 * A working directory that is gone by then ends the shell with 127 (the shell says why on stderr).
 *
 * @example
 * preparedShellScript({ file: '/bin/sh', args: ['-c', 'echo hi'], cwd: '/tmp', env: { PATH: '/usr/bin:/bin' } });
 * // "cd -P -- '/tmp' || exit 127\nexec '/usr/bin/env' -i -- 'PATH=/usr/bin:/bin' '/bin/sh' '-c' 'echo hi' </dev/null\n"
 */
export function preparedShellScript(request: { file: string; args: readonly string[]; cwd: string; env: Readonly<Record<string, string>> }): string | null {
  const { file, args, cwd, env } = request;
  if (!file.startsWith('/')) return null;
  const pairs = Object.entries(env);
  const texts = [file, cwd, ...args, ...pairs.flat()];
  if (texts.some((text) => text.includes('\0')) || !pairs.every(([name]) => plainEnvName(name))) return null;
  const words = [quoted(PREPARED_SHELL_ENV_PROGRAM), '-i', '--', ...pairs.map(([name, value]) => quoted(`${name}=${value}`)), quoted(file), ...args.map(quoted)];
  return `cd -P -- ${quoted(cwd)} || exit 127\nexec ${words.join(' ')} </dev/null\n`;
}
