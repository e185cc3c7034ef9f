/**
 * What a failure's own text says about where it strikes. A traceback often states the
 * constraint in one line (`assert d_model % n_heads == 0`, nanoGPT's `assert
 * config.n_embd % config.n_head == 0`, `if (cfg.d % cfg.h !== 0) throw ...`): such a line,
 * when every name in it is a knob, becomes a rule of its own with a strong prior. Knob
 * names the source line or message mention (`bytes(batch * width * 256)`, `diverged (lr
 * 0.3)`), or choices of theirs (`"lion_update" not implemented for 'Half'`), make the
 * rules over those knobs more probable a priori.
 */
import { compileKnobConstraint, knobConstraintHolds, type KnobConstraint } from '../../core/knob-constraint.ts';
import type { KnobSpec } from '../../core/task.ts';
import { knobValueType, type KnobValues } from './knob-value.ts';

/** A rule the failing line states: the cause strikes where `strikes(values)`. */
export interface StatedRule {
  /** The failing side, as a user reads it: `not (d_model % n_heads == 0)`. */
  rule: string;
  knobs: string[];
  strikes(values: KnobValues): boolean;
}

export interface FailureHints {
  /** Knob names mentioned by the failing source lines and messages. */
  mentioned: ReadonlySet<string>;
  rules: StatedRule[];
}

/** Objects recipes keep their settings in: `config.n_embd` reads as `n_embd`. */
const HOLDERS = /\b(?:self|config|cfg|conf|args|hparams|hp|params|opt|options|settings|model_args|hyper)\.([A-Za-z_]\w*)/g;

function normaliseNames(expression: string): string {
  return expression
    .replace(HOLDERS, '$1')
    .replace(/\b[A-Za-z_]\w*\[\s*["']([A-Za-z_][\w.-]*)["']\s*\]/g, (_, name: string) => (/^[A-Za-z_][\w.]*$/.test(name) ? name : `\`${name}\``))
    .replace(/===/g, '==')
    .replace(/!==/g, '!=');
}

/** The text up to the first comma outside brackets and quotes. */
function firstArgument(text: string): { first: string; rest: string } {
  let depth = 0;
  let quote: string | null = null;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index] as string;
    if (quote !== null) {
      if (char === quote && text[index - 1] !== '\\') quote = null;
      continue;
    }
    if (char === '"' || char === "'" || char === '`') quote = char;
    else if (char === '(' || char === '[' || char === '{') depth += 1;
    else if (char === ')' || char === ']' || char === '}') depth -= 1;
    else if (char === ',' && depth === 0) return { first: text.slice(0, index), rest: text.slice(index + 1) };
  }
  return { first: text, rest: '' };
}

/** The text inside the parenthesis that opens at `open`, or null when unbalanced. */
function insideParens(text: string, open: number): string | null {
  let depth = 0;
  for (let index = open; index < text.length; index += 1) {
    if (text[index] === '(') depth += 1;
    else if (text[index] === ')') {
      depth -= 1;
      if (depth === 0) return text.slice(open + 1, index);
    }
  }
  return null;
}

/**
 * The condition a failing source line checks, and on which side it fails: Python
 * `assert cond[, msg]` and `if cond: raise ...`; JavaScript `assert(cond)`,
 * `assert.ok(cond)`, `assert.strictEqual(a, b)`, `if (cond) throw ...`.
 */
export function statedCondition(source: string): { expression: string; failsWhen: boolean } | null {
  const line = source.trim().replace(/;\s*$/, '');
  const python = /^assert\s+(.+)$/.exec(line);
  if (python !== null) return { expression: firstArgument(python[1] as string).first.trim(), failsWhen: false };
  const ifRaise = /^if\s+(.+?):\s*raise\b/.exec(line);
  if (ifRaise !== null) return { expression: (ifRaise[1] as string).trim(), failsWhen: true };
  const ifThrow = /^if\s*\(/.exec(line);
  if (ifThrow !== null) {
    const condition = insideParens(line, line.indexOf('('));
    if (condition !== null && /\)\s*(?:\{\s*)?throw\b/.test(line.slice(line.indexOf('(') + condition.length + 1))) return { expression: condition.trim(), failsWhen: true };
  }
  const assertCall = /^assert(?:\.ok)?\s*\(/.exec(line);
  if (assertCall !== null) {
    const inner = insideParens(line, line.indexOf('('));
    if (inner !== null) return { expression: firstArgument(inner).first.trim(), failsWhen: false };
  }
  const equal = /^assert\.(strictEqual|equal|notStrictEqual|notEqual)\s*\(/.exec(line);
  if (equal !== null) {
    const inner = insideParens(line, line.indexOf('('));
    if (inner === null) return null;
    const { first, rest } = firstArgument(inner);
    const second = firstArgument(rest).first.trim();
    if (second === '') return null;
    const op = equal[1]!.startsWith('not') ? '!=' : '==';
    return { expression: `(${first.trim()}) ${op} (${second})`, failsWhen: false };
  }
  return null;
}

/**
 * Hints from the texts of a cause's failures (their source lines and messages).
 *
 * @example failureHints(['assert config.n_embd % config.n_head == 0'], knobs).rules[0].rule // 'not (n_embd % n_head == 0)'
 */
export function failureHints(texts: readonly string[], space: readonly KnobSpec[]): FailureHints {
  const names = new Set(space.map((knob) => knob.name));
  // A categorical choice named in the text (`"lion_update" not implemented`) points at its knob.
  const choices = new Map<string, string>();
  for (const knob of space) for (const choice of knob.choices ?? []) if (typeof choice === 'string' && /^[A-Za-z_][\w-]{2,}$/.test(choice)) choices.set(choice, knob.name);
  const types = Object.fromEntries(space.map((knob) => [knob.name, knobValueType(knob)]));
  const mentioned = new Set<string>();
  const rules: StatedRule[] = [];
  const seen = new Set<string>();
  for (const text of texts) {
    for (const token of normaliseNames(text).match(/[A-Za-z_][\w.-]*/g) ?? []) {
      for (const part of [token, ...token.split(/[._]/)]) {
        if (names.has(part)) mentioned.add(part);
        const owner = choices.get(part);
        if (owner !== undefined) mentioned.add(owner);
      }
    }
    for (const line of text.split('\n')) {
      const condition = statedCondition(line);
      if (condition === null) continue;
      const expression = normaliseNames(condition.expression);
      if (seen.has(`${condition.failsWhen}:${expression}`)) continue;
      seen.add(`${condition.failsWhen}:${expression}`);
      const compiled = compileKnobConstraint(expression, types);
      if (!compiled.ok) continue;
      const constraint: KnobConstraint = compiled.constraint;
      rules.push({
        rule: condition.failsWhen ? expression : `not (${expression})`,
        knobs: constraint.names,
        strikes: (values) => knobConstraintHolds(constraint, values) === condition.failsWhen,
      });
    }
  }
  return { mentioned, rules };
}
