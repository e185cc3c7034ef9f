/**
 * Which recipe paths a specialist may change: inside its surface and outside the
 * task's protected paths (the same rule legality applies, checked earlier so that an
 * agent's tool can refuse the edit with the reason).
 */
import { matchesAny } from '../../core/glob.ts';
import type { SurfaceSpec } from '../../core/task.ts';

export type EditVerdict = { ok: true; path: string } | { ok: false; reason: string };

/**
 * Normalises a path an agent gave (relative to the recipe root) and rejects those that
 * leave the worktree or reach into git's own files.
 */
export function normaliseRecipePath(raw: string): { ok: true; path: string } | { ok: false; reason: string } {
  const text = raw.trim().replace(/\\/g, '/');
  if (text === '' || text === '.' || text === './') return { ok: true, path: '' };
  if (text.startsWith('/')) return { ok: false, reason: `'${raw}' is absolute; give a path relative to the recipe root (e.g. train.py)` };
  const parts: string[] = [];
  for (const part of text.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return { ok: false, reason: `'${raw}' leaves the recipe folder` };
      parts.pop();
      continue;
    }
    parts.push(part);
  }
  if (parts[0] === '.git') return { ok: false, reason: `'${raw}' is inside git's own files` };
  return { ok: true, path: parts.join('/') };
}

/** The edit radius of one specialist. */
export class EditPolicy {
  constructor(
    readonly surface: SurfaceSpec,
    readonly protectedPaths: readonly string[],
  ) {}

  /** Whether the specialist may create, change or delete `raw`, and why not. */
  check(raw: string): EditVerdict {
    const normalised = normaliseRecipePath(raw);
    if (!normalised.ok) return normalised;
    const path = normalised.path;
    if (path === '') return { ok: false, reason: 'give a file path, not the recipe root' };
    if (matchesAny(path, this.protectedPaths)) {
      return { ok: false, reason: `${path} is protected (evaluator-owned: ${this.protectedPaths.join(', ')}); no trial may change it` };
    }
    if (!matchesAny(path, this.surface.paths)) {
      return { ok: false, reason: `${path} is outside your surface '${this.surface.name}' (you may edit: ${this.surface.paths.join(', ')})` };
    }
    return { ok: true, path };
  }

  /** A one-line description for prompts and file listings. */
  describe(): string {
    const protectedText = this.protectedPaths.length > 0 ? `; protected, never editable: ${this.protectedPaths.join(', ')}` : '';
    return `editable: ${this.surface.paths.join(', ')}${protectedText}`;
  }
}
