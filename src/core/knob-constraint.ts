/**
 * Declared knob constraints (a surface's `constraints:`): expressions over its knobs that
 * every proposal must satisfy, e.g. `d_model % n_heads == 0`, `batch * width <= 65536`,
 * `not (optimizer == 'lion' and schedule == 'onecycle')`. Parsed once (no `eval`), checked
 * against the knobs when the task file loads, evaluated by every sampler before a trial
 * is spent. Pure: no I/O.
 */
import { parseExpression, type ExpressionNode, type KnobLiteral } from './knob-expression-parser.ts';

/** What a knob holds, for type checks: numbers (float, int, numeric choices), strings, booleans, or a mix. */
export type KnobValueType = 'number' | 'string' | 'boolean' | 'any';

/** A parsed constraint. */
export interface KnobConstraint {
  /** The expression as written. */
  source: string;
  node: ExpressionNode;
  /** The knob names it reads. */
  names: string[];
}

/** A problem with a constraint, at a 1-based column of its source. */
export interface KnobConstraintProblem {
  message: string;
  column: number;
}

/**
 * Parses a constraint and checks it against the knobs it may read (by name, with their
 * value types): syntax, unknown names, operands of the wrong type, a result that is not
 * true/false. Returns the constraint or every problem found.
 *
 * @example compileKnobConstraint('d_model % n_heads == 0', { d_model: 'number', n_heads: 'number' })
 */
export function compileKnobConstraint(source: string, knobs: Readonly<Record<string, KnobValueType>>): { ok: true; constraint: KnobConstraint } | { ok: false; problems: KnobConstraintProblem[] } {
  const parsed = parseExpression(source);
  if (!parsed.ok) return { ok: false, problems: [parsed.error] };
  const problems: KnobConstraintProblem[] = [];
  const names = new Set<string>();
  const result = typeOf(parsed.node, knobs, problems, names);
  if (problems.length === 0 && result !== 'boolean' && result !== 'any') {
    problems.push({ message: `a constraint must be true or false, this one gives a ${result} (compare it, e.g. ${source.trim()} == 0)`, column: 1 });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, constraint: { source, node: parsed.node, names: [...names] } };
}

function typeOf(node: ExpressionNode, knobs: Readonly<Record<string, KnobValueType>>, problems: KnobConstraintProblem[], names: Set<string>): KnobValueType {
  const need = (child: ExpressionNode, wanted: 'number' | 'boolean', what: string): void => {
    const type = typeOf(child, knobs, problems, names);
    if (type !== wanted && type !== 'any') problems.push({ message: `${what} needs a ${wanted}, got a ${type}`, column: child.at + 1 });
  };
  switch (node.kind) {
    case 'literal':
      return typeof node.value as KnobValueType;
    case 'name': {
      const type = knobs[node.name];
      if (type === undefined) {
        const known = Object.keys(knobs);
        problems.push({ message: `unknown knob '${node.name}'${known.length > 0 ? ` (knobs of this surface: ${known.join(', ')})` : ''}`, column: node.at + 1 });
        return 'any';
      }
      names.add(node.name);
      return type;
    }
    case 'unary':
      need(node.operand, node.op === 'not' ? 'boolean' : 'number', `'${node.op}'`);
      return node.op === 'not' ? 'boolean' : 'number';
    case 'binary':
      if (node.op === 'and' || node.op === 'or') {
        need(node.left, 'boolean', `'${node.op}'`);
        need(node.right, 'boolean', `'${node.op}'`);
        return 'boolean';
      }
      need(node.left, 'number', `'${node.op}'`);
      need(node.right, 'number', `'${node.op}'`);
      return 'number';
    case 'compare': {
      const types = node.operands.map((operand) => typeOf(operand, knobs, problems, names));
      node.ops.forEach((op, index) => {
        if (op === '==' || op === '!=') return;
        for (const side of [index, index + 1]) {
          const type = types[side] as KnobValueType;
          if (type !== 'number' && type !== 'any') problems.push({ message: `'${op}' compares numbers, got a ${type}`, column: (node.operands[side] as ExpressionNode).at + 1 });
        }
      });
      return 'boolean';
    }
    case 'in':
      typeOf(node.operand, knobs, problems, names);
      return 'boolean';
    case 'call': {
      const arity = node.name === 'min' || node.name === 'max' ? node.args.length >= 1 : node.args.length === 1;
      if (!arity) problems.push({ message: `${node.name}() takes ${node.name === 'min' || node.name === 'max' ? 'one or more arguments' : 'one argument'}`, column: node.at + 1 });
      for (const arg of node.args) need(arg, 'number', `${node.name}()`);
      return 'number';
    }
  }
}

/** Thrown by {@link evaluateKnobExpression} when a value has the wrong type at run time. */
export class KnobExpressionTypeError extends Error {
  override readonly name = 'KnobExpressionTypeError';
}

const FUNCTIONS: Record<string, (...args: number[]) => number> = {
  abs: Math.abs,
  ceil: Math.ceil,
  exp: Math.exp,
  floor: Math.floor,
  log: Math.log,
  log2: Math.log2,
  log10: Math.log10,
  max: Math.max,
  min: Math.min,
  round: Math.round,
  sqrt: Math.sqrt,
};

/** Python's modulo: the sign of the divisor (`-1 % 8 == 7`), NaN for a zero divisor. */
function modulo(a: number, b: number): number {
  if (b === 0) return NaN;
  const rest = a % b;
  return rest !== 0 && rest < 0 !== b < 0 ? rest + b : rest;
}

/**
 * Evaluates an expression over knob values. Division by zero gives Infinity or NaN (and
 * NaN compares false, so `a % 0 == 0` does not hold). Throws a KnobExpressionTypeError
 * for a missing knob or a value of the wrong type.
 */
export function evaluateKnobExpression(node: ExpressionNode, values: Readonly<Record<string, KnobLiteral>>): KnobLiteral {
  const number = (child: ExpressionNode): number => {
    const value = evaluateKnobExpression(child, values);
    if (typeof value !== 'number') throw new KnobExpressionTypeError(`expected a number at column ${child.at + 1}, got ${JSON.stringify(value)}`);
    return value;
  };
  const boolean = (child: ExpressionNode): boolean => {
    const value = evaluateKnobExpression(child, values);
    if (typeof value !== 'boolean') throw new KnobExpressionTypeError(`expected true or false at column ${child.at + 1}, got ${JSON.stringify(value)}`);
    return value;
  };
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'name': {
      const value = values[node.name];
      if (value === undefined) throw new KnobExpressionTypeError(`knob '${node.name}' has no value`);
      return value;
    }
    case 'unary':
      if (node.op === 'not') return !boolean(node.operand);
      return node.op === '-' ? -number(node.operand) : number(node.operand);
    case 'binary':
      switch (node.op) {
        case 'and':
          return boolean(node.left) && boolean(node.right);
        case 'or':
          return boolean(node.left) || boolean(node.right);
        case '+':
          return number(node.left) + number(node.right);
        case '-':
          return number(node.left) - number(node.right);
        case '*':
          return number(node.left) * number(node.right);
        case '/':
          return number(node.left) / number(node.right);
        case '//':
          return Math.floor(number(node.left) / number(node.right));
        case '%':
          return modulo(number(node.left), number(node.right));
        case '**':
          return number(node.left) ** number(node.right);
      }
      break;
    case 'compare': {
      let left = evaluateKnobExpression(node.operands[0] as ExpressionNode, values);
      for (let index = 0; index < node.ops.length; index += 1) {
        const right = evaluateKnobExpression(node.operands[index + 1] as ExpressionNode, values);
        if (!compare(node.ops[index] as string, left, right, node.operands[index + 1] as ExpressionNode)) return false;
        left = right;
      }
      return true;
    }
    case 'in': {
      const value = evaluateKnobExpression(node.operand, values);
      const found = node.list.some((item) => item === value);
      return node.negated ? !found : found;
    }
    case 'call':
      return (FUNCTIONS[node.name] as (...args: number[]) => number)(...node.args.map(number));
  }
  throw new KnobExpressionTypeError('unknown expression');
}

function compare(op: string, left: KnobLiteral, right: KnobLiteral, at: ExpressionNode): boolean {
  if (op === '==') return left === right;
  if (op === '!=') return left !== right;
  if (typeof left !== 'number' || typeof right !== 'number') throw new KnobExpressionTypeError(`'${op}' compares numbers (column ${at.at + 1})`);
  switch (op) {
    case '<':
      return left < right;
    case '<=':
      return left <= right;
    case '>':
      return left > right;
    default:
      return left >= right;
  }
}

/**
 * Whether a value set satisfies a constraint. A value of the wrong type, a missing knob or
 * a result that is not `true` counts as not satisfied.
 *
 * @example knobConstraintHolds(constraint, { d_model: 384, n_heads: 6 }) // true
 */
export function knobConstraintHolds(constraint: KnobConstraint, values: Readonly<Record<string, KnobLiteral>>): boolean {
  try {
    return evaluateKnobExpression(constraint.node, values) === true;
  } catch (error) {
    if (error instanceof KnobExpressionTypeError) return false;
    throw error;
  }
}
