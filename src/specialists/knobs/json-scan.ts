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
  let position = text.charCodeAt(0) === 0xfeff ? 1 : 0;

  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at offset ${position}`);
  };
  const skipWhitespace = (): void => {
    WHITESPACE.lastIndex = position;
    WHITESPACE.exec(text);
    position = WHITESPACE.lastIndex;
  };
  const match = (pattern: RegExp): string | null => {
    pattern.lastIndex = position;
    const found = pattern.exec(text);
    if (found === null) return null;
    position = pattern.lastIndex;
    return found[0];
  };
  const expect = (char: string): void => {
    if (text[position] !== char) fail(`expected '${char}'`);
    position += 1;
  };

  const parseValue = (): JsonSpanNode => {
    skipWhitespace();
    const start = position;
    const char = text[position];
    if (char === '{') {
      position += 1;
      const entries: Array<{ key: string; value: JsonSpanNode }> = [];
      skipWhitespace();
      if (text[position] === '}') {
        position += 1;
        return { kind: 'object', start, end: position, entries };
      }
      for (;;) {
        skipWhitespace();
        const keyText = match(STRING) ?? fail('expected a string key');
        skipWhitespace();
        expect(':');
        const value = parseValue();
        entries.push({ key: JSON.parse(keyText) as string, value });
        skipWhitespace();
        if (text[position] === ',') {
          position += 1;
          continue;
        }
        expect('}');
        return { kind: 'object', start, end: position, entries };
      }
    }
    if (char === '[') {
      position += 1;
      const items: JsonSpanNode[] = [];
      skipWhitespace();
      if (text[position] === ']') {
        position += 1;
        return { kind: 'array', start, end: position, items };
      }
      for (;;) {
        items.push(parseValue());
        skipWhitespace();
        if (text[position] === ',') {
          position += 1;
          continue;
        }
        expect(']');
        return { kind: 'array', start, end: position, items };
      }
    }
    if (char === '"') {
      const literal = match(STRING) ?? fail('bad string');
      return { kind: 'scalar', start, end: position, value: JSON.parse(literal) as string };
    }
    for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) {
      if (text.startsWith(word, position)) {
        position += word.length;
        return { kind: 'scalar', start, end: position, value };
      }
    }
    const number = match(NUMBER) ?? fail('expected a JSON value');
    return { kind: 'scalar', start, end: position, value: Number(number) };
  };

  const root = parseValue();
  skipWhitespace();
  if (position !== text.length) fail('unexpected text after the JSON value');
  return root;
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
