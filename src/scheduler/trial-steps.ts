/**
 * Turning waiting proposals into trials: each takes a free slot, is recorded `pending`
 * (the store allocates its number), evaluated here or awaited from `autolab worker`s,
 * retried once on a fresh trial when the machine failed it, and then counted.
 */
import { trialCreatedEvent } from '../core/events.ts';
import { slotsOfLevel } from '../core/fidelity.ts';
import { admitEdit, notesWithSummary } from '../evaluator/edit-admission.ts';
import { coerceError } from '../core/errors.ts';
import type { TrialRecord } from '../core/trial.ts';
import { adoptTrial } from '../evaluator/adopt-trial.ts';
import { evaluateTrial } from '../evaluator/evaluate-trial.ts';
import type { SlotInfo } from '../evaluator/study-runtime.ts';
import { countTrial, takeWaiting, type RunningTrial, type WaitingProposal } from './driver-state.ts';
import { stopRequested, type Driver } from './driver.ts';
import { linkSessionToTrial } from './session-archiving.ts';
import { announceTrialCost } from './cost-prediction.ts';
import { countFinished, evaluateFirstLevel, startPromotions } from './ladder-steps.ts';
import type { Slot } from './slot-pool.ts';

/**
 * Starts a trial for each waiting proposal while a slot is free; promotions up a fidelity
 * ladder go first, before every proposal (a promotion made while the previous proposal was
 * being recorded takes the next free slot, not the next proposal; and so does one made by a
 * trial that finished while the promotions were being started, whose slot is free now).
 */
export async function fillSlots(driver: Driver): Promise<void> {
  const { state, runtime } = driver;
  for (;;) {
    await startPromotions(driver);
    // A trial may have finished (promoted, its slot freed) while `startPromotions` awaited: the slot is the promotion's.
    if (state.promotions.length > 0 && state.running.size < runtime.task.parallel && !stopRequested(driver)) continue;
    const item = takeWaiting(state, runtime.task.parallel);
    if (item === null) return;
    await startTrial(driver, item);
  }
}

/**
 * Takes a slot (waiting for one if need be), records the proposal as a pending trial and
 * starts evaluating it; resolves once it runs (its `RunningTrial` is in the state).
 */
export async function startTrial(driver: Driver, item: WaitingProposal): Promise<void> {
  // On a fidelity ladder a new trial runs at the first level, which may hold several slots.
  const slot = await driver.slots.acquireMany(slotsOfLevel(driver.runtime.task.fidelity, 0));
  const trial = await createTrialFrom(driver, item, null);
  const run: RunningTrial = { trialId: trial.id, done: Promise.resolve(), ...(driver.runtime.task.fidelity && { level: 0 }) };
  driver.state.running.add(run);
  run.done = finishTrial(driver, item, run, trial, slot);
}

/**
 * Evaluates (or awaits, or with `adopted` finishes a dead driver's) trial and its retry,
 * then hands the outcome to the chooser and the state. Never throws.
 */
export async function finishTrial(driver: Driver, item: WaitingProposal, run: RunningTrial, trial: TrialRecord, slot: Slot, adopted = false): Promise<void> {
  try {
    const first = adopted ? await adoptTrial({ ...driver.runtime, slots: driver.slots }, trial, { index: slot.index, gpu: slot.gpu }, driver.options.kill) : await evaluateOrAwait(driver, trial, slot);
    if (first === null) return; // promoted up the fidelity ladder: counted when recorded (ladder-steps.ts)
    const finished = await retryOnInfraError(driver, item, run, first, slot);
    if (finished !== null) countFinished(driver, finished);
  } catch (error) {
    driver.runtime.events.emit('warning', { code: 'record_failed', message: `trial #${run.trialId} could not be recorded: ${coerceError(error).message}` });
  } finally {
    slot.release();
    driver.state.running.delete(run);
    driver.wakeup.wake();
  }
}

/**
 * `infra_error` is the machine's fault (a failed node, a preempted job): the same
 * proposal runs once more, on a fresh trial in the same slot. The retry takes the failed
 * trial's place in the budgets (`budget.trials`, `--trials`: a trial the machine failed
 * is not counted, so the retry is not counted again) and never counts against the
 * specialist (no patience, no payoff: the chooser ignores `infra_error`). Not retried
 * once the user asked to stop.
 */
export async function retryOnInfraError(driver: Driver, item: WaitingProposal, run: RunningTrial, finished: TrialRecord, slot: SlotInfo): Promise<TrialRecord | null> {
  const { options, runtime } = driver;
  if (finished.label !== 'infra_error' || options.stop.aborted || options.kill.aborted) return finished;
  const retry = await createTrialFrom(driver, item, finished);
  run.trialId = retry.id;
  await runtime.store.appendEvent(runtime.studyId, retry.id, 'trial.retry', { of: finished.id, reason: finished.labelDetail }).catch(() => undefined);
  return evaluateOrAwait(driver, retry, slot);
}

/**
 * Records a proposal as a pending trial, owned by this driver (or by nobody, queued for
 * workers, once the cost model's prediction is recorded). A retry carries no cost (the proposal was paid for once) and says which
 * trial it retries.
 */
export async function createTrialFrom(driver: Driver, item: WaitingProposal, retryOf: TrialRecord | null): Promise<TrialRecord> {
  const { runtime, options } = driver;
  const { proposal } = item;
  const admitted = admitEdit(proposal.edit, runtime.task.limits); // an edit over the limits is not stored, only summarised
  const notes = retryOf ? `${proposal.notes ?? ''}\n[autolab: retry of trial #${retryOf.id}, which the machine failed]`.trim() : (proposal.notes ?? '');
  const created = await runtime.store.createTrial(runtime.studyId, {
    specialist: proposal.specialist,
    parent: proposal.parent,
    hypothesis: proposal.hypothesis,
    notes: notesWithSummary(notes, admitted),
    expectedDelta: proposal.expectedDelta ?? null,
    seed: runtime.task.seed,
    edit: admitted.edit,
    cost: retryOf ? null : (proposal.cost ?? null),
    owner: runtime.owner, // queued for workers (owner null) only once its cost prediction is recorded, below
  });
  if (retryOf === null) created.timings = { proposeMs: item.proposeMs };
  if (retryOf === null) await linkSessionToTrial(runtime, item.sessionId, created.id);
  // The cost model's prediction, before the trial starts (checked against the measured run times in `show`).
  const predictedMs = await announceTrialCost(runtime, created, admitted.edit, retryOf ? null : (proposal.cost?.usd ?? null));
  // The chooser weighs the specialist's cost with this trial's predicted cost until its measured cost is recorded.
  if (predictedMs !== null) driver.chooser.predictCost?.(created, predictedMs);
  if (options.remote) {
    await runtime.store.updateTrial(runtime.studyId, created.id, { owner: null });
    created.owner = null;
  }
  runtime.events.emit('trial.created', trialCreatedEvent(created));
  return created;
}

/**
 * Evaluates the trial in this process, or waits for a worker to record it (`remote`);
 * with a fidelity ladder, at its first level (null: promoted, it waits to climb).
 */
function evaluateOrAwait(driver: Driver, trial: TrialRecord, slot: SlotInfo): Promise<TrialRecord | null> {
  const { options, runtime, slots } = driver;
  if (runtime.task.fidelity) return evaluateFirstLevel(driver, trial, slot); // on a worker too, with `remote`
  if (options.remote) return options.remote.awaitTrial(trial, options.kill);
  return evaluateTrial({ ...runtime, slots }, trial, { index: slot.index, gpu: slot.gpu }, options.kill);
}
