/**
 * Limits before storage: a proposal's edit is recorded with the trial (in the store)
 * before anything else happens, so an edit far over the task's limits would grow the
 * store forever even though it is rejected. `admitEdit` runs before the trial is
 * created: an oversized edit is not stored, only a one-line summary in the trial's
 * notes, and `materialiseStep` records the trial as `size_exceeded` from it.
 */
import type { LimitsSpec } from '../core/task.ts';
import type { Edit } from '../core/trial.ts';

/** How a summary of an edit that was not stored starts (in the trial's notes). */
export const EDIT_NOT_STORED = '[autolab: edit not stored: ';

/** The edit as the store may keep it, and the summary for the trial's notes when it was refused. */
export interface AdmittedEdit {
  edit: Edit | null;
  /** One line for the trial's notes when the edit was too large to store; null otherwise. */
  summary: string | null;
}

/**
 * The edit itself when it is within the task's limits; otherwise no edit and a
 * summary. A patch is refused over `max_diff_bytes`; a files edit when one file is over
 * `max_file_bytes` or all of them together over `max_diff_bytes` plus `max_file_bytes`.
 *
 * @example
 * admitEdit({ kind: 'patch', patch: hugePatch }, limits); // { edit: null, summary: '[autolab: edit not stored: a patch of 52428800 bytes, over limits.max_diff_bytes (1000000)]' }
 */
export function admitEdit(edit: Edit | null, limits: LimitsSpec): AdmittedEdit {
  if (edit === null) return { edit, summary: null };
  if (edit.kind === 'patch') {
    const bytes = Buffer.byteLength(edit.patch);
    if (bytes <= limits.maxDiffBytes) return { edit, summary: null };
    return { edit: null, summary: `${EDIT_NOT_STORED}a patch of ${bytes} bytes, over limits.max_diff_bytes (${limits.maxDiffBytes})]` };
  }
  let total = 0;
  for (const [path, content] of Object.entries(edit.files)) {
    const bytes = content === null ? 0 : Buffer.byteLength(content);
    total += bytes + Buffer.byteLength(path);
    if (bytes > limits.maxFileBytes) return { edit: null, summary: `${EDIT_NOT_STORED}${JSON.stringify(path).slice(0, 200)} is ${bytes} bytes, over limits.max_file_bytes (${limits.maxFileBytes})]` };
  }
  if (total > limits.maxDiffBytes + limits.maxFileBytes) return { edit: null, summary: `${EDIT_NOT_STORED}files of ${total} bytes in all, over limits.max_diff_bytes + max_file_bytes (${limits.maxDiffBytes + limits.maxFileBytes})]` };
  return { edit, summary: null };
}

/** The notes of a trial whose edit was admitted: `notes`, plus the summary on a line of its own when there is one. */
export function notesWithSummary(notes: string, admitted: AdmittedEdit): string {
  return admitted.summary === null ? notes : `${notes}\n${admitted.summary}`.trim();
}

/** The reason an edit was not stored, read back from a trial's notes; null when it was stored. */
export function editNotStoredReason(notes: string): string | null {
  const line = notes.split('\n').find((text) => text.startsWith(EDIT_NOT_STORED));
  return line === undefined ? null : line.slice(EDIT_NOT_STORED.length).replace(/\]$/, '');
}
