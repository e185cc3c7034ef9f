/**
 * A small JSON scanner that keeps source offsets, so a knob's value can be replaced in
 * place (a one-line diff) instead of re-serialising the whole file.
 */

/** A JSON value with the span `[start, end)` of its text in the source. */
export type JsonSpanNode =
  | { kind: 'object'; start: number; end: number; entries: Array<{ key: string; value: JsonSpanNode }> }
  | { kind: 'array'; start: number; end: number; items: JsonSpanNode[] }
  | { kind: 'scalar'; start: number; end: number; value: string | number | boolean | null };

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const WHITESPACE = /[ \t\n\r]*/y;

/**
 * Scans JSON text into a tree of spans. Throws a SyntaxError (with the offset) on text that
 * is not JSON; callers validate with `JSON.parse` first for the standard message.
 */
export function scanJson(text: string): JsonSpanNode {
  const scanner = new JsonScanner(text, text.charCodeAt(0) === 0xfeff ? 1 : 0);
  const root = scanner.value();
  scanner.skipWhitespace();
  if (scanner.position !== text.length) scanner.fail('unexpected text after the JSON value');
  return root;
}

/** A cursor over JSON text that reads values with their spans. */
class JsonScanner {
  constructor(
    private readonly text: string,
    public position: number,
  ) {}

  fail(what: string): never {
    throw new SyntaxError(`${what} at offset ${this.position}`);
  }

  skipWhitespace(): void {
    WHITESPACE.lastIndex = this.position;
    WHITESPACE.exec(this.text);
    this.position = WHITESPACE.lastIndex;
  }

  private match(pattern: RegExp): string | null {
    pattern.lastIndex = this.position;
    const found = pattern.exec(this.text);
    if (found === null) return null;
    this.position = pattern.lastIndex;
    return found[0];
  }

  private expect(char: string): void {
    if (this.text[this.position] !== char) this.fail(`expected '${char}'`);
    this.position += 1;
  }

  /** Reads one value (after whitespace) with its span. */
  value(): JsonSpanNode {
    this.skipWhitespace();
    const start = this.position;
    const char = this.text[this.position];
    if (char === '{') return this.object(start);
    if (char === '[') return this.array(start);
    if (char === '"') {
      const literal = this.match(STRING) ?? this.fail('bad string');
      return { kind: 'scalar', start, end: this.position, value: JSON.parse(literal) as string };
    }
    for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.text.startsWith(word, this.position)) {
        this.position += word.length;
        return { kind: 'scalar', start, end: this.position, value };
      }
    }
    const number = this.match(NUMBER) ?? this.fail('expected a JSON value');
    return { kind: 'scalar', start, end: this.position, value: Number(number) };
  }

  private object(start: number): JsonSpanNode {
    this.position += 1;
    const entries: Array<{ key: string; value: JsonSpanNode }> = [];
    this.skipWhitespace();
    if (this.text[this.position] === '}') {
      this.position += 1;
      return { kind: 'object', start, end: this.position, entries };
    }
    for (;;) {
      this.skipWhitespace();
      const keyText = this.match(STRING) ?? this.fail('expected a string key');
      this.skipWhitespace();
      this.expect(':');
      const value = this.value();
      entries.push({ key: JSON.parse(keyText) as string, value });
      this.skipWhitespace();
      if (this.text[this.position] === ',') {
        this.position += 1;
        continue;
      }
      this.expect('}');
      return { kind: 'object', start, end: this.position, entries };
    }
  }

  private array(start: number): JsonSpanNode {
    this.position += 1;
    const items: JsonSpanNode[] = [];
    this.skipWhitespace();
    if (this.text[this.position] === ']') {
      this.position += 1;
      return { kind: 'array', start, end: this.position, items };
    }
    for (;;) {
      items.push(this.value());
      this.skipWhitespace();
      if (this.text[this.position] === ',') {
        this.position += 1;
        continue;
      }
      this.expect(']');
      return { kind: 'array', start, end: this.position, items };
    }
  }
}

/** The result of following a dotted key path: the node, or why it could not be followed. */
export type JsonPathResult = { found: true; node: JsonSpanNode } | { found: false; problem: string };

/**
 * Follows a dotted key path (`optimizer.lr`, `layers.0.width`) through a scanned tree.
 * Array steps are decimal indices. An object key that itself contains dots (`"model.lr"`)
 * is matched when no shorter key matches. With duplicate keys the last one wins, as in
 * `JSON.parse`.
 */
export function followJsonPath(root: JsonSpanNode, path: string): JsonPathResult {
  const segments = path.split('.');
  let node = root;
  let walked = '';
  let index = 0;
  while (index < segments.length) {
    const segment = segments[index] as string;
    const here = walked === '' ? 'the top level' : `'${walked}'`;
    if (node.kind === 'object') {
      let matched: { key: string; value: JsonSpanNode } | undefined;
      let used = 0;
      for (let count = 1; index + count <= segments.length && matched === undefined; count += 1) {
        const key = segments.slice(index, index + count).join('.');
        matched = node.entries.findLast((entry) => entry.key === key);
        used = count;
      }
      if (matched === undefined) {
        const keys = node.entries.map((entry) => entry.key);
        const listed = keys.length === 0 ? 'it is empty' : `its keys are ${keys.slice(0, 12).join(', ')}${keys.length > 12 ? ', ...' : ''}`;
        return { found: false, problem: `${here} has no key '${segment}' (${listed})` };
      }
      node = matched.value;
      walked = walked === '' ? matched.key : `${walked}.${matched.key}`;
      index += used;
    } else if (node.kind === 'array') {
      if (!/^\d+$/.test(segment)) return { found: false, problem: `${here} is an array, so '${segment}' must be an index (0, 1, ...)` };
      const item = node.items[Number(segment)];
      if (item === undefined) return { found: false, problem: `${here} has ${node.items.length} items, so index ${segment} does not exist` };
      node = item;
      walked = walked === '' ? segment : `${walked}.${segment}`;
      index += 1;
    } else {
      return { found: false, problem: `${here} is a ${describeJsonScalar(node.value)}, not an object or array, so it has no '${segment}'` };
    }
  }
  return { found: true, node };
}

function describeJsonScalar(value: string | number | boolean | null): string {
  return value === null ? 'null' : typeof value;
}
