/**
 * The fidelity ladder in the driver: a new trial is measured at the first level in its
 * slot; the promotion rule (`decidePromotion`, src/core/promotion.ts) then either records
 * it `pruned` at once or queues it for the next level, and every free slot takes a waiting
 * promotion (the highest level first) before a new proposal, so slots never idle while a
 * promising trial waits. A trial is counted (patience, the chooser's payoff) once, when it
 * is finally recorded.
 */
import { auditEventsOf } from '../core/audit-events.ts';
import { coerceError } from '../core/errors.ts';
import { summariseLadder } from '../core/ladder-summary.ts';
import { expectedClimbMs, levelCosts } from '../core/level-cost.ts';
import { gainPerSecond, gainsAtLevel, type GainPerCost } from '../core/gain-per-cost.ts';
import { decidePromotion, type PromotionDecision } from '../core/promotion.ts';
import { slotsOfLevel, type TrialLevelRecord } from '../core/fidelity.ts';
import type { TrialRecord } from '../core/trial.ts';
import { levelStore, recordNotPromoted, type LevelOutcome } from '../evaluator/evaluate-level.ts';
import type { SlotInfo } from '../evaluator/study-runtime.ts';
import { recordFinished, takePromotion, takeUndecided, type RunningTrial, type WaitingPromotion } from './driver-state.ts';
import { stopRequested, type Driver } from './driver.ts';
import { measureLevel } from './measure-level.ts';

/**
 * Measures a new trial at the first level in `slot`; returns its record when it is
 * finished (failed there, or not promoted), or null when it was promoted and waits.
 */
export async function evaluateFirstLevel(driver: Driver, trial: TrialRecord, slot: SlotInfo): Promise<TrialRecord | null> {
  const outcome = await measureLevel(driver, trial, slot, 0);
  return afterLevel(driver, outcome, 0);
}

/** Starts a waiting promotion on each free slot (as many slots as its level holds). */
export async function startPromotions(driver: Driver): Promise<void> {
  if (!driver.runtime.task.fidelity || stopRequested(driver)) return;
  for (let next = takePromotion(driver.state, driver.runtime.task.parallel); next !== null; next = takePromotion(driver.state, driver.runtime.task.parallel)) {
    const slot = await driver.slots.acquireMany(slotsOfLevel(driver.runtime.task.fidelity, next.level));
    const run: RunningTrial = { trialId: next.trialId, done: Promise.resolve(), level: next.level };
    driver.state.running.add(run);
    run.done = climb(driver, next, run, slot);
  }
}

/** Runs one promotion and settles what follows (recorded, or promoted again). Never throws. */
async function climb(driver: Driver, promotion: WaitingPromotion, run: RunningTrial, slot: { index: number; gpu: string | null; release(): void }): Promise<void> {
  const { runtime } = driver;
  try {
    const trial = await runtime.store.getTrial(runtime.studyId, promotion.trialId);
    if (trial === null || trial.finishedAt !== null) return;
    const outcome = await measureLevel(driver, trial, { index: slot.index, gpu: slot.gpu }, promotion.level);
    const finished = await afterLevel(driver, outcome, promotion.level);
    if (finished !== null) countFinished(driver, finished);
  } catch (error) {
    runtime.events.emit('warning', { code: 'record_failed', message: `trial #${promotion.trialId} could not climb to fidelity level ${promotion.level}: ${coerceError(error).message}` });
  } finally {
    slot.release();
    driver.state.running.delete(run);
    driver.wakeup.wake();
  }
}

/** A finished trial's record goes to the chooser and the driver's state (patience, machine faults). */
export function countFinished(driver: Driver, finished: TrialRecord): void {
  driver.chooser.record(finished);
  recordFinished(driver.state, finished);
}

/**
 * After a level: a finished trial as it is; a measured one promoted (null), waiting for
 * its level to hold `min_rung` results or for the peers measured beside it (null), or
 * recorded `pruned`. The level grew by one result (or a peer there failed), so trials
 * waiting there are decided again.
 */
async function afterLevel(driver: Driver, outcome: LevelOutcome, level: number): Promise<TrialRecord | null> {
  if (outcome.kind === 'finished') {
    if (driver.state.undecided.some((entry) => entry.level === level && entry.awaiting?.includes(outcome.trial.id) === true)) await decideUndecided(driver, level, outcome.trial.id);
    return outcome.trial;
  }
  const settled = await settleAtLevel(driver, outcome.trial, outcome.level, null);
  const awaited = driver.state.undecided.some((entry) => entry.awaiting?.includes(outcome.trial.id) === true);
  if (settled !== 'waits' || awaited) await decideUndecided(driver, outcome.level.level);
  return settled === 'promoted' || settled === 'waits' ? null : settled;
}

/** Of `peers`, those still being measured: running here, with no result recorded at the level yet, and not just `settled`. */
function stillMeasuring(driver: Driver, peers: readonly number[], recorded: ReadonlySet<number>, settled: number | null): number[] {
  const running = new Set([...driver.state.running].map((run) => run.trialId));
  return peers.filter((id) => id !== settled && running.has(id) && !recorded.has(id));
}

/**
 * The promotion rule on one measured level: queued for the next level, left undecided, or
 * recorded `pruned`. A promotion waits while trials that were being measured at the same
 * level when this one was (`awaiting`) have not reported: their results may outrank it, and
 * waiting costs no slot (the free slot measures a new proposal), where a climb decided
 * without them may be an expensive one the level would not have granted a moment later.
 */
async function settleAtLevel(driver: Driver, trial: TrialRecord, measured: TrialLevelRecord, pending: { awaiting?: number[]; settled: number | null } | null): Promise<TrialRecord | 'promoted' | 'waits'> {
  const { runtime } = driver;
  // Once the driver stops, no level will fill: decide against the level as it stands.
  const stopping = driver.state.stopReason !== null;
  // Taken when the trial is first decided, so the promotion waits for those peers only (never for screens started later).
  const inFlight = pending?.awaiting ?? [...driver.state.running].filter((run) => run.level === measured.level && run.trialId !== trial.id).map((run) => run.trialId);
  const decision = await promotionDecision(driver, measured, stopping);
  const awaiting = stillMeasuring(driver, inFlight, decision.recordedAtLevel, pending?.settled ?? null);
  if (decision.wait === true || (decision.promote && !stopping && awaiting.length > 0)) {
    driver.state.undecided.push({ trialId: trial.id, level: measured.level, awaiting });
    return 'waits';
  }
  if (!decision.promote) return recordNotPromoted(runtime, trial, measured, decision.reason, decision.predictedFull);
  const next = measured.level + 1;
  const to = runtime.task.fidelity!.levels[next]!.name;
  await runtime.store.appendEvent(runtime.studyId, trial.id, 'trial.promoted', {
    from: measured.levelName,
    to,
    reason: decision.reason,
    expectedRunMs: decision.expectedNextMs,
    ...(decision.gain !== null && { expectedGain: decision.gain.gain, ...(decision.gain.chance !== undefined && { chance: decision.gain.chance }), expectedClimbMs: Math.round(decision.gain.costMs) }),
  });
  driver.state.promotions.push({ trialId: trial.id, level: next, ...(decision.gain !== null && { gainPerSecond: gainPerSecond(decision.gain) }) });
  driver.wakeup.wake();
  return 'promoted';
}

/**
 * Decides the undecided trials at `level` (every level when omitted) again: promoted,
 * recorded `pruned` (then counted), or left waiting. Never throws.
 *
 * @example await decideUndecided(driver); // as the driver stops: every level decided as it stands
 */
export async function decideUndecided(driver: Driver, level?: number, settled: number | null = null): Promise<void> {
  const { runtime } = driver;
  for (const entry of takeUndecided(driver.state, level)) {
    try {
      const trial = await runtime.store.getTrial(runtime.studyId, entry.trialId);
      if (trial === null || trial.finishedAt !== null) continue;
      const measured = (await levelStore(runtime).listTrialLevels(runtime.studyId, [entry.trialId])).find((record) => record.level === entry.level && record.status === 'scored');
      if (measured === undefined) continue;
      const outcome = await settleAtLevel(driver, trial, measured, { ...(entry.awaiting && { awaiting: entry.awaiting }), settled });
      if (typeof outcome === 'object') countFinished(driver, outcome);
    } catch (error) {
      runtime.events.emit('warning', { code: 'record_failed', message: `trial #${entry.trialId} could not be decided at fidelity level ${entry.level}: ${coerceError(error).message}` });
    }
  }
  driver.wakeup.wake();
}

/** The promotion rule on the study's level records as they are now, and the trial's predicted full-level score. */
async function promotionDecision(driver: Driver, measured: TrialLevelRecord, decideNow: boolean): Promise<PromotionDecision & { predictedFull: number | null; expectedNextMs: number | null; gain: GainPerCost | null; recordedAtLevel: Set<number> }> {
  const { runtime } = driver;
  const fidelity = runtime.task.fidelity!;
  const direction = runtime.task.objective.direction;
  const records = await levelStore(runtime).listTrialLevels(runtime.studyId);
  const peers = records.filter((record) => record.level === measured.level && record.status === 'scored' && record.score !== null).map((record) => ({ trialId: record.trialId, score: record.score! }));
  const trials = await runtime.store.listTrials(runtime.studyId);
  const summary = summariseLadder(fidelity, direction, records, new Map(trials.map((trial) => [trial.id, trial.parent])));
  // Every trial at the level weighed by all that is known of it now (a trial that climbed and proved mediocre no longer blocks fresh ones).
  const predictions = new Map([...summary.trials].map(([id, trial]) => [id, trial.predictedFull]));
  const prediction = predictions.get(measured.trialId) ?? null;
  const rule = fidelity.promote.rule;
  const incumbentFullScore = rule === 'predicted' || rule === 'gain_per_cost' ? ((await runtime.store.getIncumbent(runtime.studyId))?.score ?? null) : null;
  // The cost model: the next level's expected run time, shown before it runs (checked against `trial.level_measured`).
  const costs = levelCosts(fidelity, records);
  const expectedNextMs = costs[measured.level + 1]?.expectedMs ?? null;
  const climbMs = expectedClimbMs(costs, measured.level + 1);
  const weighed = rule === 'gain_per_cost' || rule === 'predicted';
  const gains = weighed && incumbentFullScore !== null && climbMs !== null ? gainsAtLevel({ direction, level: measured.level, records, predictions, incumbent: incumbentFullScore, climbMs }) : null;
  const decision = decidePromotion({ rule: fidelity.promote, direction, trialId: measured.trialId, score: measured.score!, levelName: measured.levelName, peers, prediction, incumbentFullScore, gains, decideNow });
  const gain = gains?.find((entry) => entry.trialId === measured.trialId) ?? null;
  const recordedAtLevel = new Set(records.filter((record) => record.level === measured.level).map((record) => record.trialId));
  return { ...decision, predictedFull: summary.trials.get(measured.trialId)?.predictedFull?.mean ?? null, expectedNextMs: expectedNextMs === null ? null : Math.round(expectedNextMs), gain, recordedAtLevel };
}

/**
 * Trials a previous driver left mid-ladder (measured at some levels, not finished), which
 * `recoverStudy` handed to this driver's owner: a trial promoted from its highest scored
 * level is queued for the level above; one left undecided there (its level held fewer than
 * `min_rung` results) waits again and is decided with the others there.
 */
export async function adoptClimbingTrials(driver: Driver): Promise<number[]> {
  const { runtime } = driver;
  if (!runtime.task.fidelity || !runtime.store.listTrialLevels) return [];
  const unfinished = await runtime.store.listTrials(runtime.studyId, { status: ['pending', 'running'] });
  const ours = unfinished.filter((trial) => trial.id !== 0 && trial.owner?.token === runtime.owner.token && !driver.state.promotions.some((p) => p.trialId === trial.id));
  if (ours.length === 0) return [];
  const records = await runtime.store.listTrialLevels(runtime.studyId, ours.map((trial) => trial.id));
  const promotedFrom = await promotionsOf(driver, new Set(ours.map((trial) => trial.id)));
  const adopted: number[] = [];
  for (const trial of ours) {
    const scored = records.filter((record) => record.trialId === trial.id && record.status === 'scored');
    if (scored.length === 0) continue;
    const highest = scored.reduce((top, record) => (record.level > top.level ? record : top));
    if (highest.level + 1 >= runtime.task.fidelity.levels.length) continue;
    if (promotedFrom.get(trial.id)?.has(highest.levelName) === true) driver.state.promotions.push({ trialId: trial.id, level: highest.level + 1 });
    else driver.state.undecided.push({ trialId: trial.id, level: highest.level });
    adopted.push(trial.id);
  }
  return adopted;
}

/** The levels each of `trialIds` was promoted from (`trial.promoted` in the audit log). */
async function promotionsOf(driver: Driver, trialIds: ReadonlySet<number>): Promise<Map<number, Set<string>>> {
  const { store, studyId } = driver.runtime;
  const from = new Map<number, Set<string>>();
  for (let afterId = 0; ; ) {
    const events = await store.listEvents(studyId, { afterId, limit: 1000 });
    for (const event of auditEventsOf(events, 'trial.promoted')) {
      if (event.trialId !== null && trialIds.has(event.trialId)) from.set(event.trialId, (from.get(event.trialId) ?? new Set()).add(event.data.from));
    }
    if (events.length < 1000) return from;
    afterId = events[events.length - 1]!.id;
  }
}
