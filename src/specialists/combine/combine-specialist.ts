/**
 * The `combine` specialist: ports improvements that the incumbent does not contain onto
 * it. A candidate is a kept trial outside the incumbent's lineage (not on its parent
 * chain, nor merged in by an earlier combine step); its change is the diff from its
 * nearest ancestor that the incumbent contains to itself, merged onto the incumbent with
 * git's three-way merge in a scratch worktree.
 *
 * Conflicts (one documented behaviour): candidates are tried best score first; the
 * first one that merges cleanly is proposed. When none of the untried candidates merges
 * cleanly, the first conflicting one is proposed anyway, with the raw patch as its edit
 * and the conflicting paths in its hypothesis and notes: materialise cannot apply it, so
 * the trial is recorded as `apply_failed` with git's message. That costs no compute,
 * puts the conflict in the lineage, and marks the pair as tried, so it is not retried
 * for the same incumbent.
 */
import { z } from 'zod';
import { AutolabError } from '../../core/errors.ts';
import { formatNumber } from '../../core/gates.ts';
import { matchesAny } from '../../core/glob.ts';
import { describeIllegalLineage, illegalInLineage } from '../../core/lineage-legality.ts';
import type { ProposalContext, Specialist } from '../../core/specialist.ts';
import type { Objective, SpecialistSpec, TaskSpec } from '../../core/task.ts';
import type { Proposal, TrialRecord } from '../../core/trial.ts';
import { parseUnifiedDiff } from '../shared/unified-diff.ts';
import { inIdOrder, linkedTrials, trialsOfKind } from '../shared/history-reads.ts';
import { containedTrials, formatCombineNotesLine, pairKey, parseCombineNotes, triedPairs } from './combine-history.ts';

/** The `options` a combine specialist accepts in the task file. */
const CombineOptionsSchema = z
  .object({
    /** Candidates merged (in scratch worktrees) per proposal before giving up for this round. */
    max_attempts: z.number().int().min(1).default(4),
  })
  .strict();

export type CombineOptions = z.infer<typeof CombineOptionsSchema>;

/** A kept trial the incumbent does not contain, with the change to port. */
interface Candidate {
  source: TrialRecord;
  /** The nearest ancestor of `source` the incumbent contains: the change is base -> source. */
  base: TrialRecord;
  /** base (exclusive) -> source (inclusive). */
  steps: TrialRecord[];
}

/**
 * Creates a combine specialist. Throws a `TaskFileError` when the surface is missing or
 * the options are invalid.
 *
 * @example
 * specialists:
 *   - { name: combine, kind: combine, surface: recipe }
 * // proposal.hypothesis: 'combine: port #4 "x to 1" (Δ -5 loss) onto incumbent #6 "offset 1.5" (Δ -6.75 vs baseline)'
 */
export function createCombineSpecialist(spec: SpecialistSpec, task: TaskSpec): Specialist {
  if (task.surfaces[spec.surface] === undefined) {
    throw new AutolabError('TaskFileError', `specialist '${spec.name}' names surface '${spec.surface}', which the task does not declare`, {
      hint: `use one of: ${Object.keys(task.surfaces).join(', ') || '(declare one under surfaces:)'}`,
    });
  }
  const parsed = CombineOptionsSchema.safeParse(spec.options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? 'options' : `options.${issue.path.join('.')}`;
    throw new AutolabError('TaskFileError', `specialist '${spec.name}': ${where}: ${issue?.message ?? 'invalid'}`, {
      hint: 'combine specialists accept max_attempts (an integer >= 1)',
    });
  }
  const { max_attempts: maxAttempts } = parsed.data;

  return {
    spec,
    async propose(context: ProposalContext): Promise<Proposal | null> {
      const { incumbent, task: currentTask } = context;
      const trials = await combineTrials(context);
      const illegal = illegalInLineage(incumbent.id, trials);
      if (illegal !== null) throw new AutolabError('IllegalLineage', `combine refuses to port onto incumbent #${incumbent.id}: ${describeIllegalLineage(incumbent.id, illegal)}`);
      // A candidate that is (or builds on) an illegal edit is never ported: the result would be refused.
      const candidates = findCandidates(incumbent, trials, currentTask.objective).filter((candidate) => illegalInLineage(candidate.source.id, trials) === null);
      const tried = triedPairs(trials);
      let firstConflict: { candidate: Candidate; patch: string; conflicts: string[]; error: string } | null = null;
      let attempts = 0;
      for (const candidate of candidates) {
        if (tried.has(pairKey(incumbent.id, candidate.source.id))) continue;
        if (attempts >= maxAttempts || context.signal.aborted) break;
        const patch = await context.workspace.diffBetween(candidate.base.id, candidate.source.id);
        if (patch.trim() === '') continue;
        const paths = parseUnifiedDiff(patch).files.map((file) => file.path);
        if (paths.some((path) => !matchesAny(path, context.surface.paths) || matchesAny(path, currentTask.protected))) continue;
        attempts++;
        const scratch = await context.workspace.createScratch(incumbent.id);
        try {
          const merged = await scratch.applyPatch(patch, { threeWay: true });
          if (!merged.ok) {
            firstConflict ??= { candidate, patch, conflicts: conflictPaths(merged.conflicts, merged.error, paths), error: merged.error };
            continue;
          }
          const edit = await scratch.diff();
          if (edit.trim() === '') continue; // the incumbent already has these changes
          return proposal(spec.name, incumbent, candidate, trials, { kind: 'patch', patch: edit }, [], currentTask.objective);
        } finally {
          await scratch.release();
        }
      }
      if (firstConflict === null) return null;
      const { candidate, patch, conflicts, error } = firstConflict;
      return proposal(spec.name, incumbent, candidate, trials, { kind: 'patch', patch }, conflicts, currentTask.objective, error);
    },
  };
}

/**
 * The trials a combine proposal reads, from the history: the incumbent and every kept
 * trial with all they lead to (parents, and the sources of merged combine steps), and
 * every trial of the task's combine specialists (the pairs already tried).
 */
async function combineTrials(context: ProposalContext): Promise<TrialRecord[]> {
  const kept = await context.history.list({ status: ['kept'] });
  const reachable = await linkedTrials(context.history, [context.incumbent, ...kept], (trial) => {
    const note = trial.commit !== null ? parseCombineNotes(trial.notes) : null;
    return [trial.parent, ...(note && note.conflicts.length === 0 ? note.sources : [])];
  });
  return inIdOrder(reachable.values(), await trialsOfKind(context.history, context.task, 'combine'));
}

/** Kept trials the incumbent does not contain, best score first, each with its base. */
function findCandidates(incumbent: TrialRecord, trials: readonly TrialRecord[], objective: Objective): Candidate[] {
  const byId = new Map(trials.map((trial) => [trial.id, trial]));
  const contained = containedTrials(incumbent.id, trials);
  const candidates: Candidate[] = [];
  for (const source of trials) {
    if (source.status !== 'kept' || source.commit === null || contained.has(source.id)) continue;
    const steps: TrialRecord[] = [source];
    let base: TrialRecord | undefined;
    for (let at = source.parent; at !== null; ) {
      const trial = byId.get(at);
      if (!trial) break;
      if (contained.has(at)) {
        base = trial;
        break;
      }
      steps.unshift(trial);
      at = trial.parent;
    }
    if (base) candidates.push({ source, base, steps });
  }
  const sign = objective.direction === 'minimize' ? 1 : -1;
  return candidates.sort((a, b) => sign * ((a.source.score ?? Infinity * sign) - (b.source.score ?? Infinity * sign)) || b.source.id - a.source.id);
}

function proposal(
  name: string,
  incumbent: TrialRecord,
  candidate: Candidate,
  trials: readonly TrialRecord[],
  edit: Proposal['edit'],
  conflicts: string[],
  objective: Objective,
  mergeError?: string,
): Proposal {
  const byId = new Map(trials.map((trial) => [trial.id, trial]));
  const baseline = byId.get(0);
  const deltaOf = (trial: TrialRecord, reference: TrialRecord | undefined): string =>
    trial.score !== null && reference?.score != null ? `Δ ${signed(trial.score - reference.score)} ${objective.metric}` : 'Δ n/a';
  const step = (trial: TrialRecord) => `#${trial.id} "${short(trial.hypothesis)}" (${deltaOf(trial, trial.parent === null ? undefined : byId.get(trial.parent))})`;
  const ported = candidate.steps.map(step).join(' + ');
  const onto = `incumbent #${incumbent.id} "${short(incumbent.hypothesis)}" (${deltaOf(incumbent, baseline)} vs baseline)`;
  const hypothesis =
    conflicts.length === 0
      ? `combine: port ${ported} onto ${onto}`
      : `combine: port ${ported} onto ${onto}; the three-way merge conflicts in ${conflicts.join(', ')} (recorded, not retried)`;
  const total = candidate.source.score !== null && candidate.base.score !== null ? candidate.source.score - candidate.base.score : null;
  const notes = [
    `Ports the change of #${candidate.base.id} -> #${candidate.source.id} (a lineage the incumbent does not contain) onto #${incumbent.id} with a three-way merge.`,
    ...candidate.steps.map((trial) => `- #${trial.id} [${trial.specialist}] ${trial.hypothesis} (${deltaOf(trial, trial.parent === null ? undefined : byId.get(trial.parent))})`),
    total !== null ? `The ported lineage moved ${objective.metric} by ${signed(total)} from #${candidate.base.id}.` : '',
    conflicts.length > 0 ? `Merge conflict: ${mergeError ?? conflicts.join(', ')}. The edit is the raw patch; it is expected to fail as apply_failed.` : '',
    formatCombineNotesLine({ into: incumbent.id, sources: [candidate.source.id], bases: [candidate.base.id], conflicts }),
  ].filter((line) => line !== '');
  return {
    specialist: name,
    parent: incumbent.id,
    hypothesis,
    ...(total !== null && conflicts.length === 0 ? { expectedDelta: total } : {}),
    edit,
    notes: notes.join('\n'),
  };
}

/**
 * The conflicting paths of a failed merge: as the scratch reported them, else read from
 * git's message (`Applied patch to 'x' with conflicts.`, `U x`), else every path of the patch.
 */
export function conflictPaths(reported: readonly string[], error: string, patchPaths: readonly string[]): string[] {
  const known = new Set(patchPaths);
  const fromReport = reported.map((path) => path.replace(/^'|'\.?$/g, '')).filter((path) => known.has(path));
  if (fromReport.length > 0) return [...new Set(fromReport)];
  const fromMessage = [...error.matchAll(/^Applied patch to '(.+)' with conflicts\.?$|^U (.+)$|^error: patch failed: (.+):\d+$/gm)].map((match) => match[1] ?? match[2] ?? match[3] ?? '');
  const found = [...new Set(fromMessage.filter((path) => known.has(path)))];
  return found.length > 0 ? found : [...patchPaths];
}

function short(text: string): string {
  const line = text.split('\n')[0]!.trim();
  return line.length > 60 ? line.slice(0, 59) + '…' : line;
}

function signed(value: number): string {
  return `${value >= 0 ? '+' : ''}${formatNumber(value)}`;
}
