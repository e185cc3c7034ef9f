/**
 * The study's knowledge base, regenerated from the lineage after every trial: what a
 * researcher (or a specialist, through `read_knowledge`) reads to know where the study
 * stands. Pure: trials and notes in, Markdown files out.
 *
 * - `leaderboard.md`: the best kept trials (at most `LEADERBOARD_ROWS`), with their
 *   effect on the baseline;
 * - `hypotheses.md`: the hypothesis tree: every idea tried, its newest trials under it
 *   (at most `IDEA_TRIAL_LINES`, each with its parent, effect and confidence), how many
 *   were tried, kept and failed, the best, what is saturated;
 * - `failures.md`: failed trials grouped by failure signature (their cause);
 * - `notes.md`: the notes specialists recorded, attributed and timestamped;
 * - `README.md`: all of the above in one file (what `read_knowledge` returns).
 *
 * `renderKnowledgeBase` computes it from every trial; `KnowledgeState`
 * (knowledge-state.ts) keeps the same summaries up to date trial by trial, and both
 * render through `renderKnowledgeFiles`.
 */
import type { StudyNote } from '../core/session-archive.ts';
import type { Objective } from '../core/task.ts';
import type { TrialRecord } from '../core/trial.ts';
import { ideaOf } from './idea-groups.ts';
import { trialEffect } from '../core/trial-effect.ts';
import {
  baselineNoise,
  better,
  FAILURE_TRIAL_LINES,
  IDEA_TRIAL_LINES,
  LEADERBOARD_ROWS,
  type KnowledgeFiles,
  failureSignatureOf,
  failureTrialLine,
  hypothesisTrialLine,
  isSaturated,
  renderKnowledgeFiles,
  SATURATION_TRIES,
  type FailureSummary,
  type IdeaSummary,
  type LeaderboardRow,
} from './knowledge-render.ts';

export type { KnowledgeFiles } from './knowledge-render.ts';

export interface KnowledgeInput {
  study: string;
  objective: Objective;
  trials: readonly TrialRecord[];
  notes: readonly StudyNote[];
}

function leaderboardRows(input: KnowledgeInput, byId: Map<number, TrialRecord>): { rows: LeaderboardRow[]; kept: number } {
  const kept = input.trials.filter((trial) => trial.status === 'kept' && trial.score !== null).sort((a, b) => (better(input.objective, a.score!, b.score!) ? -1 : better(input.objective, b.score!, a.score!) ? 1 : a.id - b.id));
  const rows = kept.slice(0, LEADERBOARD_ROWS).map((trial) => ({ id: trial.id, score: trial.score!, specialist: trial.specialist, hypothesis: trial.hypothesis, effect: trial.parent === null ? undefined : trialEffect(trial, byId.get(trial.parent), input.objective) }));
  return { rows, kept: kept.length };
}

function ideaSummaries(input: KnowledgeInput, byId: Map<number, TrialRecord>, noise: number | null): IdeaSummary[] {
  const groups = new Map<string, TrialRecord[]>();
  for (const trial of input.trials) {
    if (trial.id === 0) continue;
    const idea = ideaOf(trial);
    let group = groups.get(idea);
    if (group === undefined) groups.set(idea, (group = []));
    group.push(trial);
  }
  return [...groups.entries()].map(([idea, trials]) => {
    const effects = trials.map((trial) => ({ trial, effect: trial.parent === null ? null : trialEffect(trial, byId.get(trial.parent), input.objective) }));
    const measured = effects.filter((entry) => entry.effect !== null);
    const best = measured.reduce<(typeof measured)[number] | null>((top, entry) => (top === null || better(input.objective, entry.effect!.delta, top.effect!.delta) ? entry : top), null);
    return {
      idea,
      tried: trials.length,
      kept: trials.filter((trial) => trial.status === 'kept').length,
      failed: trials.filter((trial) => trial.status === 'failed').length,
      best: best === null ? null : { id: best.trial.id, effect: best.effect! },
      saturated: isSaturated(measured.slice(-SATURATION_TRIES).map((entry) => entry.effect!), noise),
      lines: effects.slice(-IDEA_TRIAL_LINES).map(({ trial, effect }) => hypothesisTrialLine(trial, effect)),
    };
  });
}

function failureSummaries(input: KnowledgeInput): FailureSummary[] {
  const groups = new Map<string, FailureSummary & { trials: TrialRecord[] }>();
  for (const trial of input.trials) {
    const signature = failureSignatureOf(trial);
    if (signature === null) continue;
    const group = groups.get(signature.signature) ?? { signature: signature.signature, summary: signature.summary, label: trial.label!, count: 0, lines: [], trials: [] };
    group.trials.push(trial);
    group.count++;
    groups.set(signature.signature, group);
  }
  return [...groups.values()].map(({ trials, ...group }) => ({ ...group, lines: trials.slice(-FAILURE_TRIAL_LINES).map(failureTrialLine) }));
}

/**
 * The knowledge base's files, computed from every trial.
 *
 * @example
 * const files = renderKnowledgeBase({ study: 'golf', objective, trials, notes });
 * files['hypotheses.md']; // '# Hypothesis tree of study \'golf\'\n…## warmup\n\n3 tried · 1 kept …'
 */
export function renderKnowledgeBase(input: KnowledgeInput): KnowledgeFiles {
  const byId = new Map(input.trials.map((trial) => [trial.id, trial]));
  const baseline = byId.get(0);
  const noise = baselineNoise(baseline, input.objective.metric);
  return renderKnowledgeFiles({
    study: input.study,
    objective: input.objective,
    baselineScore: baseline?.score ?? null,
    noise,
    leaderboard: leaderboardRows(input, byId),
    ideas: ideaSummaries(input, byId, noise),
    failures: failureSummaries(input),
    notes: input.notes,
  });
}
