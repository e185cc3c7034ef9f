/**
 * The diff between any two trials: from git when the study's private repo is on this
 * machine (`Workspace.diffBetween`), else from the stored per-trial diffs along the
 * lineage (undo the steps from the first trial up to the common ancestor, then apply
 * the steps down to the second).
 */
import type { TrialRecord } from '../core/trial.ts';
import type { Workspace } from '../workspace/workspace.ts';

export interface TrialDiffStep {
  /** The trial whose stored diff this is. */
  trial: number;
  /** True when the step is undone (its diff reversed). */
  reversed: boolean;
  diff: string;
}

export type TrialDiff =
  | { from: number; to: number; source: 'git'; diff: string }
  | { from: number; to: number; source: 'stored'; steps: TrialDiffStep[]; note: string };

/**
 * The change that turns trial `from` into trial `to`. `byId` gives the parents; the
 * stored diffs come from `readDiffs` when given (a light snapshot holds no diffs: only
 * the diffs of the steps shown are read, e.g. `(ids) => snapshot.diffs(ids)`), else
 * from `byId`.
 */
export async function diffTrials(
  from: TrialRecord,
  to: TrialRecord,
  byId: ReadonlyMap<number, TrialRecord>,
  workspace: Workspace | null,
  readDiffs?: (ids: readonly number[]) => Promise<ReadonlyMap<number, string | null>>,
): Promise<TrialDiff> {
  if (workspace !== null && from.commit !== null && to.commit !== null) {
    try {
      return { from: from.id, to: to.id, source: 'git', diff: await workspace.diffBetween(from.commit, to.commit) };
    } catch {
      // Fall back to the stored diffs (e.g. a commit missing from the private repo).
    }
  }
  const up = ancestry(from, byId);
  const down = ancestry(to, byId);
  const common = up.find((id) => down.includes(id));
  const shown = [...up.slice(0, common === undefined ? up.length : up.indexOf(common)), ...down.slice(0, common === undefined ? down.length : down.indexOf(common))];
  const diffs = readDiffs ? await readDiffs(shown) : new Map(shown.map((id) => [id, byId.get(id)?.diff ?? null]));
  const steps: TrialDiffStep[] = [];
  for (const id of up) {
    if (id === common) break;
    steps.push({ trial: id, reversed: true, diff: reverseUnifiedDiff(diffs.get(id) ?? '') });
  }
  const apply: TrialDiffStep[] = [];
  for (const id of down) {
    if (id === common) break;
    apply.push({ trial: id, reversed: false, diff: diffs.get(id) ?? '' });
  }
  steps.push(...apply.reverse());
  const note =
    common === undefined
      ? 'the two trials share no ancestor; the stored diffs of both lineages are shown'
      : `the private repo is not available here, so the change is shown as the stored diffs along the lineage through #${common}`;
  return { from: from.id, to: to.id, source: 'stored', steps, note };
}

/** Ids from `trial` up to its root, `trial` first. */
function ancestry(trial: TrialRecord, byId: ReadonlyMap<number, TrialRecord>): number[] {
  const ids: number[] = [];
  const seen = new Set<number>();
  for (let cursor: TrialRecord | undefined = trial; cursor && !seen.has(cursor.id); cursor = cursor.parent === null ? undefined : byId.get(cursor.parent)) {
    seen.add(cursor.id);
    ids.push(cursor.id);
  }
  return ids;
}

/** The unified diff that undoes `diff` (sides swapped, + and - exchanged). */
export function reverseUnifiedDiff(diff: string): string {
  const out: string[] = [];
  const lines = diff.split('\n');
  let oldLeft = 0;
  let newLeft = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (oldLeft > 0 || newLeft > 0) {
      // Inside a hunk: content lines only.
      if (line.startsWith('+')) {
        newLeft--;
        out.push('-' + line.slice(1));
      } else if (line.startsWith('-')) {
        oldLeft--;
        out.push('+' + line.slice(1));
      } else {
        if (!line.startsWith('\\')) {
          oldLeft--;
          newLeft--;
        }
        out.push(line);
      }
      continue;
    }
    let match: RegExpExecArray | null;
    if ((match = /^diff --git a\/(.*) b\/(.*)$/.exec(line))) out.push(`diff --git a/${match[2]} b/${match[1]}`);
    else if (line.startsWith('--- ') && lines[i + 1]?.startsWith('+++ ')) {
      out.push('--- ' + swapSide(lines[i + 1]!.slice(4), 'a'), '+++ ' + swapSide(line.slice(4), 'b'));
      i++;
    } else if ((match = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(.*)$/.exec(line))) {
      const oldRange = match[2] === undefined ? match[1] : `${match[1]},${match[2]}`;
      const newRange = match[4] === undefined ? match[3] : `${match[3]},${match[4]}`;
      oldLeft = Number(match[2] ?? 1);
      newLeft = Number(match[4] ?? 1);
      out.push(`@@ -${newRange} +${oldRange} @@${match[5]}`);
    } else if (line.startsWith('new file mode ')) out.push('deleted file mode ' + line.slice('new file mode '.length));
    else if (line.startsWith('deleted file mode ')) out.push('new file mode ' + line.slice('deleted file mode '.length));
    else if ((match = /^index ([0-9a-f]+)\.\.([0-9a-f]+)(.*)$/.exec(line))) out.push(`index ${match[2]}..${match[1]}${match[3]}`);
    else out.push(line);
  }
  return out.join('\n');
}

function swapSide(path: string, side: 'a' | 'b'): string {
  if (path === '/dev/null') return path;
  return path.replace(/^[ab]\//, `${side}/`);
}
