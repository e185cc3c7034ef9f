/**
 * Parameters of config files, for `autolab init --scan`: every scalar of a JSON or YAML
 * file (by dotted key path; lists are left out), and every `key = scalar` of a TOML file
 * (by line: TOML knobs become `# autolab: NAME` markers, see write-markers.ts).
 */
import { isMap, isScalar, parseDocument, type Node } from 'yaml';
import type { FileScan, FoundParameter } from './found-parameter.ts';
import { commentStart, soleLiteral } from './python-source.ts';

type Scalar = number | string | boolean;

function isScalarValue(value: unknown): value is Scalar {
  return typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean';
}

/** Key paths that the knob readers can follow: segments without dots. */
function walk(value: unknown, path: string[], visit: (path: string[], value: Scalar) => void): void {
  if (isScalarValue(value)) {
    if (path.length > 0) visit(path, value);
    return;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    if (key.includes('.') || key === '') continue;
    walk(child, [...path, key], visit);
  }
}

/**
 * The scalars of a JSON file, by dotted key path.
 *
 * @example scanJsonConfig('{"optimizer": {"lr": 0.01}, "layers": [64, 64]}').found // [{ name: 'optimizer.lr', keyPath: 'optimizer.lr', value: 0.01, ... }]
 */
export function scanJsonConfig(text: string): FileScan {
  const found: FoundParameter[] = [];
  walk(JSON.parse(text) as unknown, [], (path, value) => {
    const raw = typeof value === 'number' ? numberText(text, path.at(-1)!) : undefined;
    found.push({ name: path.join('.'), source: 'json', value, keyPath: path.join('.'), ...(raw !== undefined ? { text: raw } : {}) });
  });
  return { found, skipped: [] };
}

/** The literal text of a JSON number under `key` (to tell 1.0 from 1), if it is unambiguous. */
function numberText(text: string, key: string): string | undefined {
  const matches = [...text.matchAll(new RegExp(`"${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"\\s*:\\s*(-?[\\d.eE+-]+)`, 'g'))];
  return matches.length === 1 ? matches[0]![1] : undefined;
}

/** The scalars of a YAML file, by dotted key path (with each number's source text). */
export function scanYamlConfig(text: string): FileScan {
  const document = parseDocument(text);
  if (document.errors.length > 0) throw new Error(`not valid YAML: ${document.errors[0]!.message.split('\n')[0]}`);
  const found: FoundParameter[] = [];
  const visit = (node: Node | null, path: string[]): void => {
    if (isScalar(node)) {
      if (path.length > 0 && isScalarValue(node.value)) {
        const source = node.range ? text.slice(node.range[0], node.range[1]) : undefined;
        found.push({ name: path.join('.'), source: 'yaml', value: node.value, keyPath: path.join('.'), ...(source !== undefined ? { text: source } : {}) });
      }
      return;
    }
    if (!isMap(node)) return;
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : null;
      if (key === null || key.includes('.') || key === '') continue;
      visit(pair.value as Node | null, [...path, key]);
    }
  };
  visit(document.contents as Node | null, []);
  return { found, skipped: [] };
}

/**
 * The `key = scalar` lines of a TOML file (tables give the key path: `[model]` then
 * `width = 64` is `model.width`); arrays, inline tables and multi-line strings are left out.
 *
 * @example scanTomlConfig('[optim]\nlr = 3e-4  # peak\n').found[0] // { name: 'optim.lr', source: 'toml', value: 0.0003, line: 1, ... }
 */
export function scanTomlConfig(text: string): FileScan {
  const found: FoundParameter[] = [];
  let table: string[] = [];
  let inMultiline = false;
  text.split('\n').forEach((line, index) => {
    const quotes = (line.match(/"""|'''/g) ?? []).length;
    if (inMultiline) {
      if (quotes % 2 === 1) inMultiline = false;
      return;
    }
    if (quotes % 2 === 1) {
      inMultiline = true;
      return;
    }
    const header = /^\s*\[\[?\s*([A-Za-z0-9_.-]+)\s*\]\]?\s*(?:#.*)?$/.exec(line);
    if (header) {
      table = line.trim().startsWith('[[') ? ['<array>'] : header[1]!.split('.');
      return;
    }
    if (table[0] === '<array>') return;
    const pair = /^\s*([A-Za-z0-9_-]+)\s*=\s*(.*)$/.exec(line);
    if (!pair) return;
    const comment = commentStart(pair[2]!);
    const literal = soleLiteral(comment < 0 ? pair[2]! : pair[2]!.slice(0, comment));
    if (literal === null || (literal.kind === 'string' && literal.quote === '`')) return;
    if (literal.kind === 'boolean' && literal.text !== 'true' && literal.text !== 'false') return;
    found.push({ name: [...table, pair[1]!].join('.'), source: 'toml', value: literal.value, text: literal.text, line: index });
  });
  return { found, skipped: [] };
}

/** Whether a literal as written is a float (has a `.` or an exponent). */
export function looksLikeFloat(text: string | undefined, value: Scalar): boolean {
  if (typeof value !== 'number') return false;
  if (text === undefined) return !Number.isInteger(value);
  if (/^[-+]?0[xXoObB]/.test(text.trim())) return false;
  return /[.eE]/.test(text);
}
