/**
 * What a task's shell commands need: the program each simple command starts, and the
 * recipe files it names. A deliberately small reading of shell syntax (enough for
 * `python3 train.py --fast`, `cd src && bash run.sh`, `OMP_NUM_THREADS=1 node train.js`):
 * what it cannot read it leaves out rather than guess.
 */

/** One simple command of a command line. */
export interface CommandUse {
  /** The program as written (`python3`, `./run.sh`, `/usr/bin/env`). */
  program: string;
  /** Its arguments, quotes removed. */
  args: string[];
}

const BUILTINS = new Set(['cd', 'export', 'set', 'unset', 'true', 'false', 'exit', 'echo', 'printf', 'test', '[', 'source', '.', 'exec', 'time', 'nice', 'nohup', 'timeout', 'command', 'eval', 'ulimit', 'umask', 'read', 'wait', 'trap', 'shift', 'local', 'return', 'if', 'then', 'else', 'fi', 'for', 'do', 'done', 'while', 'case', 'esac', 'env']);

/** Splits a command line into words, honouring '...' and "..." quotes. */
function words(segment: string): string[] {
  const found: string[] = [];
  for (const match of segment.matchAll(/'([^']*)'|"((?:[^"\\]|\\.)*)"|(\S+)/g)) found.push(match[1] ?? match[2] ?? match[3]!);
  return found;
}

/**
 * The simple commands of a command line, each with the program it starts. Wrappers
 * (`env X=1`, `time`, `nice`, `timeout 10`, `exec`) are looked through; variable
 * assignments before the program are skipped; shell builtins are left out.
 *
 * @example commandUses('cd src && OMP_NUM_THREADS=1 python3 train.py --fast | tee log')
 * // [{ program: 'python3', args: ['train.py', '--fast'] }, { program: 'tee', args: ['log'] }]
 */
export function commandUses(command: string): CommandUse[] {
  const uses: CommandUse[] = [];
  for (const segment of command.split(/&&|\|\||[;|\n]|\$\(|`/)) {
    const parts = words(segment.replace(/[()]/g, ' '));
    let index = 0;
    for (;;) {
      const word = parts[index];
      if (word === undefined) break;
      if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(word) || word.startsWith('-') || /^\d+[smhd]?$/.test(word)) index++;
      else if (['env', 'time', 'nice', 'nohup', 'exec', 'timeout', 'command'].includes(word)) index++;
      else break;
    }
    const program = parts[index];
    if (program === undefined || BUILTINS.has(program) || program.includes('$') || /^[<>&]/.test(program)) continue;
    uses.push({ program, args: parts.slice(index + 1).filter((arg) => !/^[<>]/.test(arg)) });
  }
  return uses;
}

/** Interpreters whose first non-option argument is a script file of the recipe. */
export const SCRIPT_INTERPRETERS = new Set(['python', 'python3', 'node', 'bash', 'sh', 'Rscript', 'julia', 'perl', 'ruby', 'lua', 'deno', 'bun']);

/** The script an interpreter runs (`python3 -u train.py` -> train.py), or null (`python3 -m pkg`, `node -e ...`). */
export function scriptOf(use: CommandUse): string | null {
  const name = use.program.split('/').at(-1)!;
  if (!SCRIPT_INTERPRETERS.has(name) && !/^python3(\.\d+)?$/.test(name)) return null;
  for (let index = 0; index < use.args.length; index++) {
    const arg = use.args[index]!;
    if (arg === '-m' || arg === '-c' || arg === '-e' || arg === '--eval') return null;
    if (arg.startsWith('-')) continue;
    return arg;
  }
  return null;
}

/** The module of `python3 -m pkg.mod` (its top-level package), or null. */
export function pythonModuleOf(use: CommandUse): string | null {
  const index = use.args.indexOf('-m');
  return index >= 0 && use.args[index + 1] ? use.args[index + 1]!.split('.')[0]! : null;
}

/** True when the program is a Python interpreter (`python`, `python3`, `python3.11`, a venv's `.venv/bin/python`). */
export function isPython(program: string): boolean {
  return /^python(3(\.\d+)?)?$/.test(program.split('/').at(-1)!);
}
