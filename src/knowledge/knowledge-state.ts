/**
 * The knowledge base's summaries kept up to date one finished trial at a time, so that
 * regenerating it after a trial costs the trials in flight, not the whole study: the
 * best `LEADERBOARD_ROWS` kept trials and the kept count, each idea's counts, best
 * effect, newest measured effects and newest trial lines, each failure signature's
 * count and newest lines. Renders what `renderKnowledgeBase` renders from every trial
 * (finished trials are immutable; a trial's parent is finished before it is). Pure.
 */
import type { StudyNote } from '../core/session-archive.ts';
import type { Objective } from '../core/task.ts';
import { trialEffect, type TrialEffect } from '../core/trial-effect.ts';
import type { TrialRecord } from '../core/trial.ts';
import { ideaOf } from './idea-groups.ts';
import {
  baselineNoise,
  better,
  FAILURE_TRIAL_LINES,
  failureSignatureOf,
  failureTrialLine,
  hypothesisTrialLine,
  IDEA_TRIAL_LINES,
  isSaturated,
  LEADERBOARD_ROWS,
  SATURATION_TRIES,
  type FailureSummary,
  type IdeaSummary,
  type KnowledgeSummaries,
  type LeaderboardRow,
} from './knowledge-render.ts';

/** An entry of a list kept sorted by id and cut to its newest. */
interface ById<T> {
  id: number;
  value: T;
}

interface IdeaState {
  idea: string;
  firstId: number;
  tried: number;
  kept: number;
  failed: number;
  best: { id: number; effect: TrialEffect } | null;
  measured: ById<TrialEffect>[];
  lines: ById<string>[];
}

interface FailureState {
  signature: string;
  firstId: number;
  summary: string;
  label: string;
  count: number;
  lines: ById<string>[];
}

/** A trial, with its parent's record (undefined when it has none or it is not recorded). */
export interface TrialWithParent {
  trial: TrialRecord;
  parent: TrialRecord | undefined;
}

/** Inserts `entry` by id and keeps the newest `limit`. */
function insertNewest<T>(list: ById<T>[], entry: ById<T>, limit: number): void {
  if (list.length >= limit && entry.id < list[0]!.id) return;
  let at = list.length;
  while (at > 0 && list[at - 1]!.id > entry.id) at--;
  list.splice(at, 0, entry);
  if (list.length > limit) list.shift();
}

/**
 * @example
 * const state = new KnowledgeState(objective);
 * state.add(trial, parent); // each trial once, when it has finished
 * renderKnowledgeFiles(state.summaries({ study: 'golf', baseline, unfinished, notes }));
 */
export class KnowledgeState {
  private readonly ideas = new Map<string, IdeaState>();
  private readonly failures = new Map<string, FailureState>();
  /** The best kept trials, best first (`LEADERBOARD_ROWS` at most). */
  private readonly board: LeaderboardRow[] = [];
  private keptCount = 0;

  constructor(private readonly objective: Objective) {}

  /** Adds a finished trial (once), with its parent's record. */
  add(trial: TrialRecord, parent: TrialRecord | undefined): void {
    if (trial.status === 'kept' && trial.score !== null) this.rank(trial, parent);
    const signature = failureSignatureOf(trial);
    if (signature !== null) {
      let group = this.failures.get(signature.signature);
      if (group === undefined) this.failures.set(signature.signature, (group = { signature: signature.signature, firstId: trial.id, summary: signature.summary, label: trial.label!, count: 0, lines: [] }));
      if (trial.id < group.firstId) Object.assign(group, { firstId: trial.id, summary: signature.summary, label: trial.label! });
      group.count++;
      insertNewest(group.lines, { id: trial.id, value: failureTrialLine(trial) }, FAILURE_TRIAL_LINES);
    }
    if (trial.id !== 0) addToIdea(this.ideas, trial, this.effect(trial, parent), this.objective);
  }

  private effect(trial: TrialRecord, parent: TrialRecord | undefined): TrialEffect | null {
    return trial.parent === null ? null : trialEffect(trial, parent, this.objective);
  }

  private rank(trial: TrialRecord, parent: TrialRecord | undefined): void {
    this.keptCount++;
    const objective = this.objective;
    const order = (a: Pick<LeaderboardRow, 'id' | 'score'>, b: Pick<LeaderboardRow, 'id' | 'score'>) => (better(objective, a.score, b.score) ? -1 : better(objective, b.score, a.score) ? 1 : a.id - b.id);
    const row: LeaderboardRow = { id: trial.id, score: trial.score!, specialist: trial.specialist, hypothesis: trial.hypothesis, effect: trial.parent === null ? undefined : trialEffect(trial, parent, objective) };
    let at = this.board.length;
    while (at > 0 && order(this.board[at - 1]!, row) > 0) at--;
    if (at >= LEADERBOARD_ROWS) return;
    this.board.splice(at, 0, row);
    if (this.board.length > LEADERBOARD_ROWS) this.board.pop();
  }

  /** What the files are rendered from: the finished trials added so far, and `unfinished` (in flight now) as they are. */
  summaries(input: { study: string; baseline: TrialRecord | undefined; unfinished: readonly TrialWithParent[]; notes: readonly StudyNote[] }): KnowledgeSummaries {
    const noise = baselineNoise(input.baseline, this.objective.metric);
    // The ideas of the trials in flight are added to copies.
    const ideas = new Map([...this.ideas].map(([idea, state]) => [idea, { ...state, measured: state.measured.slice(), lines: state.lines.slice() }]));
    for (const { trial, parent } of input.unfinished) if (trial.id !== 0) addToIdea(ideas, trial, this.effect(trial, parent), this.objective);
    const byFirst = <T extends { firstId: number }>(list: Iterable<T>) => [...list].sort((a, b) => a.firstId - b.firstId);
    return {
      study: input.study,
      objective: this.objective,
      baselineScore: input.baseline?.score ?? null,
      noise,
      leaderboard: { rows: this.board.slice(), kept: this.keptCount },
      ideas: byFirst(ideas.values()).map((state): IdeaSummary => ({
        idea: state.idea,
        tried: state.tried,
        kept: state.kept,
        failed: state.failed,
        best: state.best,
        saturated: isSaturated(state.measured.map((entry) => entry.value), noise),
        lines: state.lines.map((entry) => entry.value),
      })),
      failures: byFirst(this.failures.values()).map((state): FailureSummary => ({ signature: state.signature, summary: state.summary, label: state.label, count: state.count, lines: state.lines.map((entry) => entry.value) })),
      notes: input.notes,
    };
  }
}

function addToIdea(ideas: Map<string, IdeaState>, trial: TrialRecord, effect: TrialEffect | null, objective: Objective): void {
  const idea = ideaOf(trial);
  let state = ideas.get(idea);
  if (state === undefined) ideas.set(idea, (state = { idea, firstId: trial.id, tried: 0, kept: 0, failed: 0, best: null, measured: [], lines: [] }));
  state.firstId = Math.min(state.firstId, trial.id);
  state.tried++;
  if (trial.status === 'kept') state.kept++;
  if (trial.status === 'failed') state.failed++;
  if (effect !== null) {
    // The best effect, the lowest id among equal ones (what a pass in id order keeps).
    const best = state.best;
    if (best === null || better(objective, effect.delta, best.effect.delta) || (!better(objective, best.effect.delta, effect.delta) && trial.id < best.id)) state.best = { id: trial.id, effect };
    insertNewest(state.measured, { id: trial.id, value: effect }, SATURATION_TRIES);
  }
  insertNewest(state.lines, { id: trial.id, value: hypothesisTrialLine(trial, effect) }, IDEA_TRIAL_LINES);
}
