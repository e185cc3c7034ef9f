/**
 * Taking over the trials of a dead driver (`DriveOptions.adopt`): each becomes a running
 * trial of this driver, in a slot like any other, and goes through `finishTrial` (so an
 * `infra_error` is retried and the outcome reaches the chooser and the driver's state).
 */
import type { TrialRecord } from '../core/trial.ts';
import type { RunningTrial, WaitingProposal } from './driver-state.ts';
import type { Driver } from './driver.ts';
import { finishTrial } from './trial-steps.ts';

/** The proposal a recorded trial was made from (for its retry, should the machine fail it). */
export function proposalOf(trial: TrialRecord): WaitingProposal {
  const notes = trial.notes.replace(/\n?\[autolab: retry of trial #\d+, which the machine failed\]$/, '');
  return {
    proposal: {
      specialist: trial.specialist,
      parent: trial.parent ?? 0,
      hypothesis: trial.hypothesis,
      notes,
      ...(trial.expectedDelta !== null && { expectedDelta: trial.expectedDelta }),
      edit: trial.edit ?? { kind: 'patch', patch: '' },
    },
    proposeMs: trial.timings.proposeMs ?? 0,
  };
}

/**
 * Starts finishing every adopted trial: each is in the driver's running set at once
 * (counted against `parallel`), takes a slot as one frees, and is evaluated from where
 * its dead driver left it. Resolves at once; the trials' `done` settle as they are recorded.
 *
 * @example adoptTrials(driver, options.adopt ?? []);
 */
export function adoptTrials(driver: Driver, trials: readonly TrialRecord[]): void {
  for (const trial of trials) {
    const run: RunningTrial = { trialId: trial.id, done: Promise.resolve() };
    driver.state.running.add(run);
    run.done = driver.slots.acquire().then((slot) => finishTrial(driver, proposalOf(trial), run, trial, slot, true));
  }
}
