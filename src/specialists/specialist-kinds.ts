/**
 * The kinds of specialist this version of autolab has: the one list. The task file's
 * `specialists[].kind` (src/task/schema.ts, its JSON Schema and docs/task-file.md) and the
 * registry's factories (./registry.ts, which must have one per kind) are built from it.
 * Imports nothing, so the task file's schema can read it without loading any specialist.
 *
 * To add a kind: a row here, a factory in ./registry.ts, its folder under src/specialists/
 * (importing only the core and ./shared/), and its page in docs/specialists.md.
 */
export const SPECIALIST_KINDS = [
  { kind: 'knobs', summary: 'search declared knobs' },
  { kind: 'llm', summary: 'LLM agent' },
  { kind: 'command', summary: 'external coding agent CLI' },
  { kind: 'combine', summary: 'port kept improvements' },
  { kind: 'ablate', summary: 'remove parts of the incumbent diff' },
] as const;

/** The name of a specialist kind (`knobs`, `llm`, ...). */
export type SpecialistKind = (typeof SPECIALIST_KINDS)[number]['kind'];

/** The kinds' names, in the order above. */
export const SPECIALIST_KIND_NAMES = SPECIALIST_KINDS.map((entry) => entry.kind) as [SpecialistKind, ...SpecialistKind[]];

/**
 * `knobs: search declared knobs; llm: LLM agent; ...`: the kinds in one line, for the
 * task file's documentation.
 */
export const SPECIALIST_KINDS_TEXT = SPECIALIST_KINDS.map((entry) => `${entry.kind}: ${entry.summary}`).join('; ') + '.';
