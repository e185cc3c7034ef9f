/**
 * Unified diffs shown side by side: the old file on the left, the new on the right,
 * removed and added runs paired line by line.
 */
import { html } from './dom.js';

const MAX_ROWS = 4000;

/** Parses `git diff` output into files of hunks of side-by-side rows. */
export function parseUnifiedDiff(text) {
  const files = [];
  let file = null;
  let hunk = null;
  let oldNo = 0;
  let newNo = 0;
  let dels = [];
  let adds = [];
  const flush = () => {
    if (!hunk) return;
    const n = Math.max(dels.length, adds.length);
    for (let i = 0; i < n; i++) hunk.rows.push({ left: dels[i] ?? null, right: adds[i] ?? null, kind: 'change' });
    dels = [];
    adds = [];
  };
  for (const line of text.split('\n')) {
    let match;
    if ((match = /^diff --git a\/(.*) b\/(.*)$/.exec(line))) {
      flush();
      file = { oldPath: match[1], newPath: match[2], status: 'modified', binary: false, hunks: [], added: 0, removed: 0 };
      files.push(file);
      hunk = null;
      continue;
    }
    if (!file) continue;
    if (!hunk || (!line.startsWith(' ') && !line.startsWith('+') && !line.startsWith('-') && !line.startsWith('\\'))) {
      if (line.startsWith('new file mode')) file.status = 'added';
      else if (line.startsWith('deleted file mode')) file.status = 'deleted';
      else if (line.startsWith('Binary files') || line.startsWith('GIT binary patch')) file.binary = true;
      else if ((match = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@(.*)$/.exec(line))) {
        flush();
        hunk = { header: line, rows: [] };
        file.hunks.push(hunk);
        oldNo = Number(match[1]);
        newNo = Number(match[2]);
      }
      continue;
    }
    if (line.startsWith('-')) {
      dels.push({ no: oldNo++, text: line.slice(1) });
      file.removed++;
    } else if (line.startsWith('+')) {
      adds.push({ no: newNo++, text: line.slice(1) });
      file.added++;
    } else if (line.startsWith('\\')) {
      continue;
    } else {
      flush();
      hunk.rows.push({ left: { no: oldNo++, text: line.slice(1) }, right: { no: newNo++, text: line.slice(1) }, kind: 'context' });
    }
  }
  flush();
  return files;
}

function side(cell, kind, cls) {
  if (!cell) return html`<td class="ln empty ${cls}"></td><td class="empty ${cls}"></td>`;
  const mark = kind === 'context' ? '' : cls.includes('mid') ? 'add' : 'del';
  return html`<td class="ln ${mark} ${cls}">${cell.no}</td><td class="${mark}">${cell.text}</td>`;
}

/** The side-by-side view of a unified diff (an empty-state line for an empty one). */
export function diffView(text, { emptyText = 'No change.' } = {}) {
  if (!text || !text.trim()) return html`<div class="muted">${emptyText}</div>`;
  const files = parseUnifiedDiff(text);
  if (files.length === 0) return html`<pre class="block">${text}</pre>`;
  let budget = MAX_ROWS;
  return html`${files.map((file) => {
    const path = file.status === 'deleted' ? file.oldPath : file.newPath;
    const rows = [];
    for (const hunk of file.hunks) {
      if (budget <= 0) break;
      rows.push(html`<tr class="hunk"><td colspan="4">${hunk.header}</td></tr>`);
      for (const row of hunk.rows) {
        if (budget-- <= 0) break;
        rows.push(html`<tr>${side(row.left, row.kind, '')}${side(row.right, row.kind, 'mid')}</tr>`);
      }
    }
    const truncated = budget <= 0 ? html`<div class="muted" style="padding:6px 12px">… diff truncated; see the raw patch below</div>` : '';
    return html`<div class="diff" data-file="${path}">
      <div class="diff-file"><span>${path}${file.status !== 'modified' ? html` <span class="muted">(${file.status})</span>` : ''}</span>
        <span><span class="stat-add">+${file.added}</span> <span class="stat-del">−${file.removed}</span></span></div>
      ${file.binary ? html`<div class="muted" style="padding:8px 12px">binary file</div>` : html`<table><colgroup><col style="width:46px"><col><col style="width:46px"><col></colgroup>${rows}</table>`}
      ${truncated}</div>`;
  })}`;
}
