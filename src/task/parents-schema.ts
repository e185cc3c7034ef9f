/**
 * A specialist's `parents:` key: the parent strategy of a program-editing specialist
 * (llm, command, combine), see src/core/parent-strategy.ts and docs/pareto.md.
 */
import { z } from 'zod';
import type { ParentStrategySpec } from '../core/parent-strategy.ts';

/** The kinds whose proposals start from a chosen parent (the others decide their own). */
export const PARENT_STRATEGY_KINDS = ['llm', 'command', 'combine'] as const;

export const parentsSchema = z
  .strictObject({
    strategy: z.enum(['incumbent', 'front', 'tournament', 'islands', 'map_elites'], { error: 'expected incumbent, front, tournament, islands or map_elites' }).describe('How the starting trial is chosen.'),
    size: z.number().int().min(2).optional().describe('tournament: scored trials drawn per choice (default 3).'),
    islands: z.number().int().min(2).max(64).optional().describe('islands: the number of islands (default 4).'),
    migration: z.number().int().min(0).optional().describe('islands: every this many trials of an island, its next starts from the best of its neighbour when that is better (0: never; default 5).'),
    bins: z
      .record(z.string().min(1), z.array(z.number()).min(1))
      .optional()
      .describe('map_elites: feature bins, per metric the trials report, ascending edges (e.g. { run_seconds: [10, 30] }: below 10, 10 to 30, 30 and above).'),
  })
  .superRefine((value, ctx) => {
    if (value.strategy === 'map_elites' && (value.bins === undefined || Object.keys(value.bins).length === 0)) {
      ctx.addIssue({ code: 'custom', path: ['bins'], message: 'map_elites needs bins: per metric, ascending edges, e.g. { run_seconds: [10, 30] }' });
    }
    for (const [metric, edges] of Object.entries(value.bins ?? {})) {
      if (edges.some((edge, i) => i > 0 && !(edge > edges[i - 1]!))) ctx.addIssue({ code: 'custom', path: ['bins', metric], message: `the edges of ${metric} must be strictly ascending` });
    }
    if (value.bins !== undefined && value.strategy !== 'map_elites') ctx.addIssue({ code: 'custom', path: ['bins'], message: 'bins: applies to strategy map_elites only' });
  })
  .describe('parents: which trial each proposal starts from (llm, command, combine): incumbent (default), front, tournament, islands or map_elites (docs/pareto.md).');

/**
 * The engine's strategy from the parsed key.
 *
 * @example
 * toParentStrategy({ strategy: 'islands', islands: 3 }); // { strategy: 'islands', islands: 3, migration: 5 }
 */
export function toParentStrategy(parsed: z.infer<typeof parentsSchema>): ParentStrategySpec {
  switch (parsed.strategy) {
    case 'tournament':
      return { strategy: 'tournament', size: parsed.size ?? 3 };
    case 'islands':
      return { strategy: 'islands', islands: parsed.islands ?? 4, migration: parsed.migration ?? 5 };
    case 'map_elites':
      return { strategy: 'map_elites', bins: parsed.bins ?? {} };
    default:
      return { strategy: parsed.strategy };
  }
}

/** A `parents:` key on a specialist whose kind chooses its own starting point (knobs, ablate) is an error. */
export function parentsIssues(raw: Record<string, unknown>): Array<{ path: Array<string | number>; message: string }> {
  if (!Array.isArray(raw.specialists)) return [];
  return raw.specialists.flatMap((specialist: unknown, index) => {
    if (typeof specialist !== 'object' || specialist === null) return [];
    const { kind, parents } = specialist as { kind?: unknown; parents?: unknown };
    if (parents === undefined || typeof kind !== 'string' || (PARENT_STRATEGY_KINDS as readonly string[]).includes(kind)) return [];
    return [{ path: ['specialists', index, 'parents'], message: `a ${kind} specialist chooses its own starting point; parents: applies to ${PARENT_STRATEGY_KINDS.join(', ')} specialists (remove it here)` }];
  });
}
