/**
 * The task file's keys of a multi-objective study: `objectives:` (several metrics, each
 * with its direction, an optional acceptance margin and an optional hypervolume reference
 * value) and `preference:` (the trade-off that picks "the" recommended front member).
 * The checks that span keys (at least two objectives, distinct metrics, `objective` among
 * them, the preference naming them) live in `objectives-checks.ts`.
 */
import { z } from 'zod';

const directionSchema = z.enum(['minimize', 'maximize'], { error: 'expected minimize or maximize' });

/** One entry of `objectives:`. */
export const objectiveEntrySchema = z.strictObject({
  metric: z.string().min(1).describe('Name of the metric (a key of the JSON the score command prints).'),
  direction: directionSchema.describe('minimize or maximize.'),
  margin: z
    .number()
    .min(0)
    .optional()
    .describe('Acceptance margin in the metric\'s units: with rule better, a front member blocks a trial better than it by no more than this in every objective; with rule welch, the least effect tested for. Default 0.'),
  reference: z
    .number()
    .optional()
    .describe('Hypervolume reference value: the worst value of interest (status, report, dashboard). Default: the worst value measured, pushed out by 10% of the range.'),
});

/** `objectives:`, several metrics optimised at once (a Pareto front instead of one incumbent). */
export const objectivesSchema = z
  .array(objectiveEntrySchema)
  .describe(
    'Several metrics optimised at once: the study keeps a Pareto front (the trials no other kept trial beats in every objective) instead of one incumbent, and a trial is kept when the front does not dominate it (with rule welch: when it is significantly better than every front member in some objective, alpha split over the objectives). `objective`, when also given, names the primary one (the trial\'s score); default the first.',
  );

const weightsSchema = z.record(z.string().min(1), z.number().min(0, { error: 'expected a weight >= 0' }));

/** `preference:`, the trade-off that picks the recommended trial of the front. */
export const preferenceSchema = z
  .union([
    z.strictObject({ weights: weightsSchema.describe('Weights per metric of the objectives normalised over the front (best 0, worst 1); the member with the least weighted sum is recommended. Metrics left out weigh 0.') }),
    z.strictObject({ target: z.record(z.string().min(1), z.number()).describe('Aspiration levels per metric, in its units; the member with the least largest normalised shortfall from them is recommended (a reference point).') }),
  ], { error: 'expected { weights: { metric: weight, ... } } or { target: { metric: value, ... } }' })
  .describe('How "the" recommended trial of the front is chosen (best, export, the report): by weights or by a target point. Default: equal weights.');
