/**
 * The `ablate` specialist: finds out which parts of the incumbent's change matter. It
 * splits the incumbent's diff from the baseline into units (a hunk; a whole file when
 * it is new, deleted, binary or changes mode) and proposes the incumbent without one
 * unit, one file or one bisection group at a time. A removal that is kept made the
 * recipe better and simpler; one that scores within the tolerance is reported as a
 * simpler equal recipe; one that scores worse shows that the part matters.
 */
import { z } from 'zod';
import { AutolabError } from '../../core/errors.ts';
import { formatNumber } from '../../core/gates.ts';
import { matchesAny } from '../../core/glob.ts';
import type { ProposalContext, Specialist } from '../../core/specialist.ts';
import type { SpecialistSpec, TaskSpec } from '../../core/task.ts';
import type { Proposal } from '../../core/trial.ts';
import { ablationOutcomes, formatAblationNotesLine, groupKey, type AblationOutcome, ablationTrials } from './ablation-history.ts';
import { describeUnit, diffUnits, removalPatch, type DiffUnit } from './hunk-units.ts';
import { parseUnifiedDiff } from '../shared/unified-diff.ts';

/** The `options` an ablate specialist accepts in the task file. */
const AblateOptionsSchema = z
  .object({
    /**
     * `hunk` (default): remove one unit at a time. `file`: one file's units at a time.
     * `bisect`: halves, then quarters, … down to single units, skipping the parts of a
     * group whose removal did not make the score worse.
     */
    granularity: z.enum(['hunk', 'file', 'bisect']).default('hunk'),
    /** A move at most this large (absolute, in the objective's units) counts as equal; default the baseline's calibrated noise (σ), else 0.2% of its magnitude. */
    equal_tolerance: z.number().nonnegative().optional(),
  })
  .strict();

export type AblateOptions = z.infer<typeof AblateOptionsSchema>;

/** A group of units removed together, with how it was formed. */
interface AblationGroup {
  units: DiffUnit[];
  /** `hunk 2/5 of train.py (…)`, `all hunks of train.py`, `first half (3 of 6 units)`. */
  label: string;
  /** Groups containing this one in a bisection (their keys), outermost first. */
  ancestors: string[];
}

/**
 * Creates an ablate specialist. Throws a `TaskFileError` when the surface is missing or
 * the options are invalid.
 *
 * `propose` returns the incumbent minus the next untried group (parent = incumbent,
 * edit = the patch that removes the group), or null when the incumbent is the baseline,
 * its diff is a single unit (without it the recipe is the baseline) or every group of
 * its diff was tried. "Tried" is read from the lineage: each proposal's
 * notes carry a JSON line with the keys of the removed units, which do not depend on
 * line numbers, so a hunk is tried once per study even after other hunks were removed.
 *
 * @example
 * specialists:
 *   - { name: ablate, kind: ablate, surface: recipe, granularity: hunk }
 * // proposal.hypothesis: "ablate: remove hunk 2/5 of train.py (lr = 0.1) from #7 to test whether it matters"
 */
export function createAblateSpecialist(spec: SpecialistSpec, task: TaskSpec): Specialist {
  const surface = task.surfaces[spec.surface];
  if (surface === undefined) {
    throw new AutolabError('TaskFileError', `specialist '${spec.name}' names surface '${spec.surface}', which the task does not declare`, {
      hint: `use one of: ${Object.keys(task.surfaces).join(', ') || '(declare one under surfaces:)'}`,
    });
  }
  const parsed = AblateOptionsSchema.safeParse(spec.options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? 'options' : `options.${issue.path.join('.')}`;
    throw new AutolabError('TaskFileError', `specialist '${spec.name}': ${where}: ${issue?.message ?? 'invalid'}`, {
      hint: 'ablate specialists accept granularity (hunk, file or bisect) and equal_tolerance (a number >= 0)',
    });
  }
  const options = parsed.data;

  return {
    spec,
    async propose(context: ProposalContext): Promise<Proposal | null> {
      const incumbent = context.incumbent;
      if (incumbent.id === 0) return null;
      const diff = await context.workspace.diffBetween(0, incumbent.id);
      if (diff.trim() === '') return null;
      const parsedDiff = parseUnifiedDiff(diff);
      const all = diffUnits(parsedDiff);
      const units = all.filter((unit) => unit.reversible && matchesAny(unit.path, context.surface.paths) && !matchesAny(unit.path, context.task.protected));
      if (units.length === 0) return null;

      // Equal means within the noise, as the lineage feedback measures it: the baseline's
      // calibrated σ when it was repeated, else 0.2% of its magnitude.
      const baselineScore = context.history.baseline?.score ?? null;
      const calibrated = context.lineage?.baseline.noise;
      const tolerance = options.equal_tolerance ?? (calibrated !== undefined && calibrated > 0 ? calibrated : baselineScore !== null ? Math.max(Math.abs(baselineScore) * 0.002, 1e-12) : 0);
      const outcomes = ablationOutcomes(await ablationTrials(context.history, context.task), context.task.objective, tolerance);
      const outcomeOf = new Map<string, AblationOutcome>();
      for (const outcome of outcomes) outcomeOf.set(groupKey(outcome.note.removed), outcome);

      const next = candidateGroups(units, options.granularity).find((group) => {
        const key = groupKey(group.units.map((unit) => unit.key));
        // Without every unit the recipe is the baseline, which is measured already.
        if (outcomeOf.has(key) || group.units.length === all.length) return false;
        // Bisection: descend into a group only once its removal was measured worse (or
        // failed): without a part that did not matter, none of its pieces matter either.
        return group.ancestors.every((ancestor) => {
          const verdict = outcomeOf.get(ancestor)?.verdict;
          return verdict === undefined || verdict === 'worse' || verdict === 'failed';
        });
      });
      if (next === undefined) return null;

      const patch = removalPatch(parsedDiff, next.units);
      const subject = next.units.length === 1 ? 'it matters' : 'they matter';
      const hypothesis = `ablate: remove ${next.label} from #${incumbent.id} to test whether ${subject}`;
      const notes = [
        `Removes ${next.units.length} of the ${units.length} unit(s) of incumbent #${incumbent.id}'s diff from the baseline:`,
        ...next.units.map((unit) => `- ${describeUnit(unit)}`),
        ...reportLines(outcomes, context.task.objective.metric),
        formatAblationNotesLine({ incumbent: incumbent.id, removed: next.units.map((unit) => unit.key), units: next.units.map(describeUnit), of: units.length, granularity: options.granularity }),
      ].join('\n');
      return { specialist: spec.name, parent: incumbent.id, hypothesis, edit: { kind: 'patch', patch }, notes };
    },
  };
}

/** The groups to try, in order, for a granularity. */
function candidateGroups(units: readonly DiffUnit[], granularity: AblateOptions['granularity']): AblationGroup[] {
  if (granularity === 'hunk') return units.map((unit) => ({ units: [unit], label: describeUnit(unit), ancestors: [] }));
  if (granularity === 'file') {
    const byFile = new Map<string, DiffUnit[]>();
    for (const unit of units) byFile.set(unit.path, [...(byFile.get(unit.path) ?? []), unit]);
    return [...byFile.values()].map((group) => ({
      units: group,
      label: group.length === 1 ? describeUnit(group[0]!) : `all ${group.length} hunks of ${group[0]!.path}`,
      ancestors: [],
    }));
  }
  // Bisection, breadth first: halves, quarters, … single units. The whole diff itself is
  // not a group (without it the recipe is the baseline, already measured).
  const groups: AblationGroup[] = [];
  let level: Array<{ units: DiffUnit[]; ancestors: string[] }> = [{ units: [...units], ancestors: [] }];
  while (level.length > 0) {
    const nextLevel: typeof level = [];
    for (const node of level) {
      if (node.units.length < 2) continue;
      const middle = Math.ceil(node.units.length / 2);
      const ancestors = node.units.length === units.length ? [] : [...node.ancestors, groupKey(node.units.map((unit) => unit.key))];
      for (const [index, part] of [node.units.slice(0, middle), node.units.slice(middle)].entries()) {
        const label = part.length === 1 ? describeUnit(part[0]!) : `${part.length} units (${index === 0 ? 'first' : 'second'} half of ${node.units.length}: ${part.map(describeUnit).join('; ')})`;
        groups.push({ units: part, label, ancestors });
        nextLevel.push({ units: part, ancestors });
      }
    }
    level = nextLevel;
  }
  return groups;
}

/** What earlier ablations found, for the notes (at most a few lines of each kind). */
function reportLines(outcomes: readonly AblationOutcome[], metric: string): string[] {
  const lines: string[] = [];
  const delta = (outcome: AblationOutcome) => (outcome.delta === null ? '' : ` (Δ ${outcome.delta >= 0 ? '+' : ''}${formatNumber(outcome.delta)} ${metric})`);
  const units = (outcome: AblationOutcome) => outcome.note.units.join('; ') || `${outcome.note.removed.length} unit(s)`;
  const equal = outcomes.filter((outcome) => outcome.verdict === 'equal' || outcome.verdict === 'better');
  const worse = outcomes.filter((outcome) => outcome.verdict === 'worse');
  if (equal.length > 0) {
    lines.push('Simpler recipes that scored equal or better (these parts do not matter):');
    for (const outcome of equal.slice(-5)) lines.push(`- #${outcome.trial.id} without ${units(outcome)}${delta(outcome)}${outcome.verdict === 'better' ? ', kept' : ''}${outcome.sameAs !== null ? `, same tree as #${outcome.sameAs}` : ''}`);
  }
  if (worse.length > 0) {
    lines.push('Parts that matter (worse without them):');
    for (const outcome of worse.slice(-5)) lines.push(`- #${outcome.trial.id} without ${units(outcome)}${delta(outcome)}`);
  }
  return lines;
}
