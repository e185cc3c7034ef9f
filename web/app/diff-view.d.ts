/** Types of diff-view.js (used by `autolab report` in Node). */
export interface Html {
  readonly text: string;
  toString(): string;
}
export interface DiffFile {
  oldPath: string;
  newPath: string;
  status: 'modified' | 'added' | 'deleted';
  binary: boolean;
  added: number;
  removed: number;
  hunks: Array<{ header: string; rows: Array<{ left: { no: number; text: string } | null; right: { no: number; text: string } | null; kind: 'context' | 'change' }> }>;
}
export function parseUnifiedDiff(text: string): DiffFile[];
export function diffView(text: string | null, options?: { emptyText?: string }): Html;
