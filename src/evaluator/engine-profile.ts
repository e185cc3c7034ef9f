/**
 * Where the engine's own time per trial goes, by named part (for `bench:overhead`'s
 * profile): the trial's start, each lifecycle step, the executor's work around each
 * phase command (wall time of `executor.run` minus the command's own duration), the
 * repeat's files, sealing the artifacts, removing the worktree. Off unless a bench turns
 * it on, so a long study keeps nothing (`engineProfile({ enable: true })`); when off a
 * span costs one `performance.now()`.
 */

/** Milliseconds per part, for each trial, since the profile was last reset. */
const spans = new Map<number, Record<string, number>>();
let enabled = false;

/**
 * Adds `ms` to part `name` of trial `trialId` (summed when the part recurs: repeats,
 * a second phase of the same name). Does nothing while the profile is off.
 *
 * @example
 * addSpan(7, 'run.executor', 12.5);
 */
export function addSpan(trialId: number, name: string, ms: number): void {
  if (!enabled) return;
  const parts = spans.get(trialId) ?? {};
  parts[name] = (parts[name] ?? 0) + ms;
  spans.set(trialId, parts);
}

/**
 * A lap timer for one trial: each `lap(name)` records the time since the previous lap
 * (or since the timer was made) as part `name`; `lap(null)` restarts the clock without
 * recording (a part measured elsewhere, or not engine time).
 *
 * @example
 * const lap = lapTimer(trial.id);
 * await startStep(job); lap('start');
 */
export function lapTimer(trialId: number): (name: string | null) => void {
  let last = performance.now();
  return (name) => {
    const now = performance.now();
    if (name !== null) addSpan(trialId, name, now - last);
    last = now;
  };
}

/**
 * Turns the profile on or off and returns what it holds (a copy: trial id → part → ms);
 * `reset` empties it.
 *
 * @example
 * engineProfile({ enable: true, reset: true }); await study.run({ trials: 10 }); const parts = engineProfile({ enable: false });
 */
export function engineProfile(options: { enable?: boolean; reset?: boolean } = {}): Map<number, Record<string, number>> {
  const copy = new Map([...spans].map(([id, parts]) => [id, { ...parts }]));
  if (options.reset) spans.clear();
  if (options.enable !== undefined) enabled = options.enable;
  return copy;
}
