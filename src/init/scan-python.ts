/**
 * Parameters of a Python recipe, for `autolab init --scan train.py`: argparse options
 * with a literal `default=`, fields of `@dataclass` classes with a literal default, and
 * module-level constants assigned a single literal. Read from the text (never run).
 */
import { scanLineLiterals } from '../specialists/knobs/marker-knob.ts';
import type { FileScan, FoundParameter, SkippedParameter } from './found-parameter.ts';
import { callArguments, commentStart, linesInStrings, soleLiteral, splitArguments, type CallText } from './python-source.ts';

const DECLARED = new Set(['int', 'float', 'str', 'bool']);

function declared(type: string | undefined): FoundParameter['declaredType'] {
  const name = type?.trim().replace(/^Optional\[(.+)\]$/, '$1');
  return name !== undefined && DECLARED.has(name) ? (name as FoundParameter['declaredType']) : undefined;
}

function literalValue(text: string): { value: number | string | boolean; text: string } | null {
  const literal = soleLiteral(text);
  return literal === null ? null : { value: literal.value, text: literal.text };
}

/**
 * Finds the parameters of a Python source.
 *
 * @example scanPython("parser.add_argument('--lr', type=float, default=1e-3)\n").found[0] // { name: 'lr', source: 'argparse', value: 0.001, declaredType: 'float', line: 0, ... }
 */
export function scanPython(text: string): FileScan {
  const lines = text.split('\n');
  const inString = linesInStrings(lines);
  const found: FoundParameter[] = [];
  const skipped: SkippedParameter[] = [];
  found.push(...moduleConstants(lines, inString));
  found.push(...dataclassFields(lines, inString));
  const parsed = argparseOptions(lines, inString);
  found.push(...parsed.found);
  skipped.push(...parsed.skipped);
  const isScript = /^if\s+__name__\s*==\s*['"]__main__['"]/m.test(text) || parsed.found.length + parsed.skipped.length > 0 || /^[a-z_]\w*\([^)]*\)\s*$/m.test(text);
  return { found, skipped, isScript };
}

/** `NAME = 0.1` (a single literal, optionally annotated) at the top level of the module. */
function moduleConstants(lines: readonly string[], inString: readonly boolean[]): FoundParameter[] {
  const found: FoundParameter[] = [];
  lines.forEach((line, index) => {
    if (inString[index]) return;
    const match = /^([A-Za-z_][A-Za-z0-9_]*)\s*(?::\s*([A-Za-z_][\w[\], .]*?))?\s*=(?!=)(.*)$/.exec(line);
    if (!match || match[1]!.startsWith('__')) return;
    const rhs = match[3]!;
    const comment = commentStart(rhs);
    const literal = literalValue(comment < 0 ? rhs : rhs.slice(0, comment));
    if (literal === null) return;
    const parameter: FoundParameter = { name: match[1]!, source: 'constant', value: literal.value, text: literal.text, line: index };
    const type = declared(match[2]);
    if (type) parameter.declaredType = type;
    found.push(parameter);
  });
  return found;
}

/** Fields `name: type = literal` (or `= field(default=literal)`) of `@dataclass` classes. */
function dataclassFields(lines: readonly string[], inString: readonly boolean[]): FoundParameter[] {
  const found: FoundParameter[] = [];
  for (let index = 0; index < lines.length; index++) {
    if (inString[index] || !/^\s*@(?:dataclasses\.)?dataclass\b/.test(lines[index]!)) continue;
    let classLine = index + 1;
    while (classLine < lines.length && /^\s*@/.test(lines[classLine]!)) classLine++;
    const header = /^(\s*)class\s+\w+/.exec(lines[classLine] ?? '');
    if (!header) continue;
    const classIndent = header[1]!.length;
    let fieldIndent: number | null = null;
    for (let row = classLine + 1; row < lines.length; row++) {
      const line = lines[row]!;
      if (inString[row] || line.trim() === '' || line.trim().startsWith('#')) continue;
      const indent = line.length - line.trimStart().length;
      if (indent <= classIndent) break;
      fieldIndent ??= indent;
      if (indent !== fieldIndent) continue;
      const field = /^\s*([A-Za-z_]\w*)\s*:\s*([^=]+?)\s*=(?!=)(.*)$/.exec(line);
      if (!field) continue;
      const rhs = field[3]!;
      const comment = commentStart(rhs);
      const body = (comment < 0 ? rhs : rhs.slice(0, comment)).trim();
      const viaField = /^(?:dataclasses\.)?field\(/.exec(body);
      let literal = viaField ? null : literalValue(body);
      let splitAt: number | undefined;
      if (viaField) {
        const call = callArguments([line], 0, line.indexOf(body) + viaField[0].length);
        const argument = call ? splitArguments(call.text).find((arg) => arg.keyword === 'default') : undefined;
        literal = argument ? literalValue(argument.value) : null;
        if (argument && call) splitAt = call.at[argument.offset]![1];
      }
      if (literal === null) continue;
      const parameter: FoundParameter = { name: field[1]!, source: 'dataclass', value: literal.value, text: literal.text, line: row };
      const type = declared(field[2]);
      if (type) parameter.declaredType = type;
      if (splitAt !== undefined) parameter.splitAt = splitAt;
      found.push(parameter);
    }
  }
  return found;
}

/** Options of `parser.add_argument('--name', type=..., default=literal, choices=[...])`. */
function argparseOptions(lines: readonly string[], inString: readonly boolean[]): { found: FoundParameter[]; skipped: SkippedParameter[] } {
  const found: FoundParameter[] = [];
  const skipped: SkippedParameter[] = [];
  lines.forEach((line, index) => {
    if (inString[index]) return;
    const comment = commentStart(line);
    const code = comment < 0 ? line : line.slice(0, comment);
    for (const match of code.matchAll(/\.add_argument\s*\(/g)) {
      const call = callArguments(lines, index, match.index! + match[0].length);
      if (call !== null) {
        const option = argparseOption(call);
        if (option === null) continue;
        if ('reason' in option) skipped.push(option);
        else found.push(option);
      }
    }
  });
  return { found, skipped };
}

function argparseOption(call: CallText): FoundParameter | SkippedParameter | null {
  const args = splitArguments(call.text);
  const flags = args.filter((arg) => arg.keyword === null).map((arg) => soleLiteral(arg.value)?.value).filter((value): value is string => typeof value === 'string');
  const keyword = (name: string) => args.find((arg) => arg.keyword === name);
  const dest = soleLiteral(keyword('dest')?.value ?? '')?.value;
  const flag = flags.find((text) => text.startsWith('--')) ?? flags.find((text) => text.startsWith('-')) ?? flags[0];
  if (flag === undefined) return null;
  const name = typeof dest === 'string' ? dest : flag.replace(/^-+/, '').replace(/-/g, '_');
  const action = soleLiteral(keyword('action')?.value ?? '')?.value;
  if (typeof action === 'string' && action !== 'store') return { name, reason: `a switch (action='${action}'): no value to search` };
  const defaultArg = keyword('default');
  if (defaultArg === undefined) return { name, reason: flag.startsWith('-') ? 'no default= value' : 'a positional argument' };
  const literal = soleLiteral(defaultArg.value);
  if (literal === null) return { name, reason: `its default (${defaultArg.value.split('\n')[0]!.slice(0, 40)}) is not a plain literal` };
  const [line] = call.at[defaultArg.valueOffset]!;
  const parameter: FoundParameter = { name, source: 'argparse', value: literal.value, text: literal.text, line, splitAt: call.at[defaultArg.offset]![1] };
  if (call.at[defaultArg.offset]![0] !== line) delete parameter.splitAt;
  const type = keyword('type')?.value;
  const declaredType = declared(type);
  if (declaredType) parameter.declaredType = declaredType;
  else if (type !== undefined) return { name, reason: `type=${type} is not int, float or str` };
  const choices = keyword('choices')?.value;
  if (choices !== undefined) {
    const range = /^range\(\s*(-?\d+)\s*(?:,\s*(-?\d+)\s*)?\)$/.exec(choices);
    if (range) parameter.choices = range[2] === undefined ? integers(0, Number(range[1])) : integers(Number(range[1]), Number(range[2]));
    else if (/^[[(]/.test(choices)) parameter.choices = scanLineLiterals(choices.replace(/\n/g, ' ')).map((choice) => choice.value);
  }
  const help = soleLiteral(keyword('help')?.value ?? '')?.value;
  if (typeof help === 'string') parameter.help = help;
  return parameter;
}

function integers(from: number, to: number): number[] {
  const values: number[] = [];
  for (let value = from; value < to && values.length <= 64; value++) values.push(value);
  return values;
}
