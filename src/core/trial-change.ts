/**
 * What a trial changed, in a few words, for the lineage feedback: the knob values a knobs
 * specialist recorded in its notes (`{"knobs":{"lr":0.03,"n_heads":6}}`), else a summary
 * of the changed lines of its diff (`model.py: n_heads = 4 → n_heads = 6`). Pure.
 */

/** Knob values as a knobs specialist records them (numbers, strings, booleans). */
export type NotedKnobValues = Record<string, string | number | boolean>;

/**
 * The knob values in a trial's notes (the last `{"knobs": {...}}` line), or null.
 *
 * @example knobValuesInNotes('tpe search\n{"knobs":{"lr":0.03},"sampler":"tpe"}') // { lr: 0.03 }
 */
export function knobValuesInNotes(notes: string): NotedKnobValues | null {
  let found: NotedKnobValues | null = null;
  for (const line of notes.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed.startsWith('{') || !trimmed.includes('"knobs"')) continue;
    try {
      const knobs = (JSON.parse(trimmed) as { knobs?: unknown }).knobs;
      if (typeof knobs !== 'object' || knobs === null || Array.isArray(knobs)) continue;
      const values: NotedKnobValues = {};
      for (const [name, value] of Object.entries(knobs)) {
        if (typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) values[name] = value;
      }
      found = values;
    } catch {
      // Not a knobs line.
    }
  }
  return found;
}

const LINE_CHARS = 80;

function clipLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > LINE_CHARS ? flat.slice(0, LINE_CHARS - 1) + '…' : flat;
}

/**
 * The changed lines of a unified diff, at most `maxChanges`, per file: a removed line and
 * the added line in its place as `old → new`, else `+added` / `-removed`; `(no change)` for
 * an empty diff.
 *
 * @example diffSummary(patch) // 'model.py: n_heads = 4 → n_heads = 6'
 */
export function diffSummary(diff: string | null, maxChanges = 4): string {
  if (diff === null || diff.trim() === '') return '(no change)';
  const files: Array<{ file: string; removed: string[]; added: string[] }> = [];
  let current: (typeof files)[number] | null = null;
  let oldFile = '';
  for (const line of diff.split('\n')) {
    if (line.startsWith('+++ ')) {
      const file = line.slice(4).replace(/^b\//, '').trim();
      current = { file: file === '/dev/null' ? oldFile : file, removed: [], added: [] };
      files.push(current);
    } else if (line.startsWith('--- ')) {
      oldFile = line.slice(4).replace(/^a\//, '').trim();
      current = null;
    } else if (current !== null && line.startsWith('-') && line.slice(1).trim() !== '') current.removed.push(line.slice(1));
    else if (current !== null && line.startsWith('+') && line.slice(1).trim() !== '') current.added.push(line.slice(1));
  }
  const parts: string[] = [];
  let shown = 0;
  let total = 0;
  for (const { file, removed, added } of files) {
    const changes: string[] = [];
    const pairs = Math.min(removed.length, added.length);
    for (let i = 0; i < pairs; i++) changes.push(`${clipLine(removed[i]!)} → ${clipLine(added[i]!)}`);
    for (const line of removed.slice(pairs)) changes.push(`-${clipLine(line)}`);
    for (const line of added.slice(pairs)) changes.push(`+${clipLine(line)}`);
    total += changes.length;
    const room = maxChanges - shown;
    if (room > 0 && changes.length > 0) {
      parts.push(`${file}: ${changes.slice(0, room).join('; ')}`);
      shown += Math.min(room, changes.length);
    }
  }
  if (parts.length === 0) return '(no line changed)';
  return parts.join(' | ') + (total > shown ? ` (+${total - shown} more changed lines)` : '');
}

/** `lr=0.03, n_heads=6`: knob values as one line. */
export function formatKnobValues(values: NotedKnobValues, only?: ReadonlySet<string>): string {
  return Object.entries(values)
    .filter(([name]) => only === undefined || only.has(name))
    .map(([name, value]) => `${name}=${typeof value === 'number' ? Number(value.toPrecision(4)) : String(value)}`)
    .join(', ');
}
