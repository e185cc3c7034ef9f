/**
 * The parser of knob constraint expressions (`d_model % n_heads == 0`,
 * `batch * width <= 65536`, `not (optimizer == 'lion' and schedule == 'onecycle')`): a
 * small recursive-descent parser into a syntax tree, no `eval`. Grammar, loosest first:
 *
 *   or := and (('or' | '||') and)*          and := not (('and' | '&&') not)*
 *   not := ('not' | '!') not | comparison
 *   comparison := sum (('==' | '!=' | '<' | '<=' | '>' | '>=') sum)*  (chained as in Python)
 *               | sum ['not'] 'in' '[' value (',' value)* ']'
 *   sum := product (('+' | '-') product)*   product := unary (('*' | '/' | '//' | '%') unary)*
 *   unary := ('-' | '+') unary | power      power := primary ['**' unary]
 *   primary := number | 'string' | "string" | true | false | name | `any-name`
 *            | function '(' or (',' or)* ')' | '(' or ')'
 *
 * Names are knob names; a name with characters other than letters, digits, `_` and `.`
 * is written in backticks. Functions: abs, ceil, exp, floor, log, log2, log10, max, min,
 * round, sqrt. Pure: no I/O.
 */

export type KnobLiteral = number | string | boolean;

export type ExpressionNode =
  | { kind: 'literal'; value: KnobLiteral; at: number }
  | { kind: 'name'; name: string; at: number }
  | { kind: 'unary'; op: '-' | '+' | 'not'; operand: ExpressionNode; at: number }
  | { kind: 'binary'; op: '+' | '-' | '*' | '/' | '//' | '%' | '**' | 'and' | 'or'; left: ExpressionNode; right: ExpressionNode; at: number }
  | { kind: 'compare'; ops: ComparisonOperator[]; operands: ExpressionNode[]; at: number }
  | { kind: 'in'; negated: boolean; operand: ExpressionNode; list: KnobLiteral[]; at: number }
  | { kind: 'call'; name: FunctionName; args: ExpressionNode[]; at: number };

export type ComparisonOperator = '==' | '!=' | '<' | '<=' | '>' | '>=';

export const EXPRESSION_FUNCTIONS = ['abs', 'ceil', 'exp', 'floor', 'log', 'log2', 'log10', 'max', 'min', 'round', 'sqrt'] as const;
export type FunctionName = (typeof EXPRESSION_FUNCTIONS)[number];

/** A syntax error at a column (1-based) of the expression. */
export interface ExpressionSyntaxError {
  message: string;
  column: number;
}

type Token =
  | { type: 'number'; value: number; at: number }
  | { type: 'string'; value: string; at: number }
  | { type: 'name'; value: string; quoted: boolean; at: number }
  | { type: 'op'; value: string; at: number }
  | { type: 'end'; at: number };

const OPERATORS = ['**', '//', '==', '!=', '<=', '>=', '&&', '||', '+', '-', '*', '/', '%', '<', '>', '!', '(', ')', '[', ']', ','];

class SyntaxFailure extends Error {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(message);
  }
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < source.length) {
    const char = source[index] as string;
    if (/\s/.test(char)) {
      index += 1;
      continue;
    }
    const number = /^(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/.exec(source.slice(index));
    if (number !== null) {
      tokens.push({ type: 'number', value: Number(number[0]), at: index });
      index += number[0].length;
      continue;
    }
    if (char === "'" || char === '"' || char === '`') {
      const close = source.indexOf(char, index + 1);
      if (close < 0) throw new SyntaxFailure(`unterminated ${char === '`' ? 'name' : 'string'} (no closing ${char})`, index);
      const text = source.slice(index + 1, close);
      tokens.push(char === '`' ? { type: 'name', value: text, quoted: true, at: index } : { type: 'string', value: text, at: index });
      index = close + 1;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(source.slice(index));
    if (name !== null) {
      tokens.push({ type: 'name', value: name[0], quoted: false, at: index });
      index += name[0].length;
      continue;
    }
    const op = OPERATORS.find((candidate) => source.startsWith(candidate, index));
    if (op === undefined) {
      const hint = char === '=' ? ' (use == to compare)' : char === '&' || char === '|' ? ` (use ${char}${char}, or ${char === '&' ? 'and' : 'or'})` : '';
      throw new SyntaxFailure(`unexpected character ${JSON.stringify(char)}${hint}`, index);
    }
    tokens.push({ type: 'op', value: op, at: index });
    index += op.length;
  }
  tokens.push({ type: 'end', at: source.length });
  return tokens;
}

const COMPARISONS: readonly string[] = ['==', '!=', '<', '<=', '>', '>='];

class Parser {
  private position = 0;

  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.position] as Token;
  }

  private next(): Token {
    const token = this.peek();
    if (token.type !== 'end') this.position += 1;
    return token;
  }

  private isOp(value: string): boolean {
    const token = this.peek();
    return token.type === 'op' && token.value === value;
  }

  private isWord(value: string): boolean {
    const token = this.peek();
    return token.type === 'name' && !token.quoted && token.value === value;
  }

  private expect(value: string, what: string): void {
    if (!this.isOp(value)) throw new SyntaxFailure(`expected ${what}`, this.peek().at);
    this.next();
  }

  parseAll(): ExpressionNode {
    const node = this.or();
    const rest = this.peek();
    if (rest.type !== 'end') throw new SyntaxFailure(`unexpected ${describe(rest)}`, rest.at);
    return node;
  }

  private or(): ExpressionNode {
    let left = this.and();
    while (this.isWord('or') || this.isOp('||')) {
      const at = this.next().at;
      left = { kind: 'binary', op: 'or', left, right: this.and(), at };
    }
    return left;
  }

  private and(): ExpressionNode {
    let left = this.not();
    while (this.isWord('and') || this.isOp('&&')) {
      const at = this.next().at;
      left = { kind: 'binary', op: 'and', left, right: this.not(), at };
    }
    return left;
  }

  private not(): ExpressionNode {
    if (this.isWord('not') || this.isOp('!')) {
      const at = this.next().at;
      return { kind: 'unary', op: 'not', operand: this.not(), at };
    }
    return this.comparison();
  }

  private comparison(): ExpressionNode {
    const first = this.sum();
    if (this.isWord('in') || (this.isWord('not') && this.tokens[this.position + 1]?.type === 'name' && (this.tokens[this.position + 1] as { value: string }).value === 'in')) {
      const negated = this.isWord('not');
      const at = this.next().at;
      if (negated) this.next();
      return { kind: 'in', negated, operand: first, list: this.list(), at };
    }
    const ops: ComparisonOperator[] = [];
    const operands: ExpressionNode[] = [first];
    while (this.peek().type === 'op' && COMPARISONS.includes((this.peek() as { value: string }).value)) {
      ops.push((this.next() as { value: string }).value as ComparisonOperator);
      operands.push(this.sum());
    }
    return ops.length === 0 ? first : { kind: 'compare', ops, operands, at: first.at };
  }

  private list(): KnobLiteral[] {
    this.expect('[', "a list after 'in', e.g. in ['relu', 'gelu']");
    const values: KnobLiteral[] = [];
    while (!this.isOp(']')) {
      const negative = this.isOp('-') ? (this.next(), true) : false;
      const token = this.next();
      if (token.type === 'number') values.push(negative ? -token.value : token.value);
      else if (token.type === 'string' && !negative) values.push(token.value);
      else if (token.type === 'name' && !token.quoted && (token.value === 'true' || token.value === 'false' || token.value === 'True' || token.value === 'False') && !negative) values.push(token.value.toLowerCase() === 'true');
      else throw new SyntaxFailure(`expected a number, a 'string', true or false in the list, got ${describe(token)}`, token.at);
      if (!this.isOp(']')) this.expect(',', "',' or ']' in the list");
    }
    this.next();
    return values;
  }

  private sum(): ExpressionNode {
    let left = this.product();
    while (this.isOp('+') || this.isOp('-')) {
      const token = this.next() as { value: '+' | '-'; at: number };
      left = { kind: 'binary', op: token.value, left, right: this.product(), at: token.at };
    }
    return left;
  }

  private product(): ExpressionNode {
    let left = this.unary();
    while (this.isOp('*') || this.isOp('/') || this.isOp('//') || this.isOp('%')) {
      const token = this.next() as { value: '*' | '/' | '//' | '%'; at: number };
      left = { kind: 'binary', op: token.value, left, right: this.unary(), at: token.at };
    }
    return left;
  }

  private unary(): ExpressionNode {
    if (this.isOp('-') || this.isOp('+')) {
      const token = this.next() as { value: '-' | '+'; at: number };
      return { kind: 'unary', op: token.value, operand: this.unary(), at: token.at };
    }
    return this.power();
  }

  private power(): ExpressionNode {
    const base = this.primary();
    if (!this.isOp('**')) return base;
    const at = this.next().at;
    return { kind: 'binary', op: '**', left: base, right: this.unary(), at };
  }

  private primary(): ExpressionNode {
    const token = this.next();
    switch (token.type) {
      case 'number':
        return { kind: 'literal', value: token.value, at: token.at };
      case 'string':
        return { kind: 'literal', value: token.value, at: token.at };
      case 'name':
        return this.named(token);
      case 'op':
        if (token.value === '(') {
          const inner = this.or();
          this.expect(')', "')'");
          return inner;
        }
        throw new SyntaxFailure(`unexpected ${describe(token)}`, token.at);
      default:
        throw new SyntaxFailure('the expression ends too early', token.at);
    }
  }

  private named(token: Extract<Token, { type: 'name' }>): ExpressionNode {
    if (!token.quoted && (token.value === 'true' || token.value === 'True')) return { kind: 'literal', value: true, at: token.at };
    if (!token.quoted && (token.value === 'false' || token.value === 'False')) return { kind: 'literal', value: false, at: token.at };
    if (!token.quoted && ['and', 'or', 'not', 'in'].includes(token.value)) throw new SyntaxFailure(`unexpected '${token.value}'`, token.at);
    if (!token.quoted && this.isOp('(')) {
      if (!(EXPRESSION_FUNCTIONS as readonly string[]).includes(token.value)) {
        throw new SyntaxFailure(`unknown function '${token.value}' (known: ${EXPRESSION_FUNCTIONS.join(', ')})`, token.at);
      }
      this.next();
      const args: ExpressionNode[] = [];
      while (!this.isOp(')')) {
        args.push(this.or());
        if (!this.isOp(')')) this.expect(',', "',' or ')' after an argument");
      }
      this.next();
      return { kind: 'call', name: token.value as FunctionName, args, at: token.at };
    }
    return { kind: 'name', name: token.value, at: token.at };
  }
}

function describe(token: Token): string {
  switch (token.type) {
    case 'end':
      return 'end of the expression';
    case 'number':
      return `number ${token.value}`;
    case 'string':
      return `string '${token.value}'`;
    case 'name':
      return `'${token.value}'`;
    default:
      return `'${token.value}'`;
  }
}

/**
 * Parses an expression; a syntax error comes back (never thrown) with its 1-based column.
 *
 * @example parseExpression('d_model % n_heads == 0') // { ok: true, node: { kind: 'compare', ... } }
 */
export function parseExpression(source: string): { ok: true; node: ExpressionNode } | { ok: false; error: ExpressionSyntaxError } {
  try {
    return { ok: true, node: new Parser(tokenize(source)).parseAll() };
  } catch (error) {
    if (error instanceof SyntaxFailure) return { ok: false, error: { message: error.message, column: error.at + 1 } };
    throw error;
  }
}
