/**
 * Random writes into a study, as another process running it makes them: new trials (with
 * parents among `known`, finished or not), starts, and outcomes of every kind (kept,
 * discarded, failed with a label and a cause, with and without a score or a cost). For
 * the tests of the dashboard's incremental views.
 */
import type { Store } from '../core/store.ts';
import type { FailureLabel } from '../core/trial.ts';

const LABELS: FailureLabel[] = ['crash', 'oom', 'run_timeout', 'gate_miss', 'metric_missing'];

/**
 * One round of random writes; `open` holds the unfinished trials and `known` the possible parents (both updated).
 *
 * @example await randomWrites(store, study.id, seededRandom(1), [], [0]);
 */
export async function randomWrites(store: Store, studyId: number, random: () => number, open: number[], known: number[]): Promise<void> {
  const specialists = ['tuner', 'optimizer', 'architecture', 'newcomer'];
  for (let i = 0, n = 1 + Math.floor(random() * 6); i < n; i++) {
    // The first known trial (the baseline), else one of the newest (often not finished yet).
    const parent = known.length === 0 ? null : known[random() < 0.4 ? 0 : known.length - 1 - Math.floor(random() * Math.min(8, known.length))]!;
    const trial = await store.createTrial(studyId, { specialist: specialists[Math.floor(random() * specialists.length)]!, parent, hypothesis: `round ${i}`, seed: 0, edit: null, owner: null });
    open.push(trial.id);
    known.push(trial.id);
  }
  for (const id of [...open]) {
    const roll = random();
    if (roll < 0.25) continue;
    if (roll < 0.45) {
      await store.updateTrial(studyId, id, { status: 'running', startedAt: new Date().toISOString() }, { type: 'trial.started', data: { slot: id % 4, gpu: null } }).catch(() => undefined);
      continue;
    }
    open.splice(open.indexOf(id), 1);
    const failed = roll < 0.7;
    const label = LABELS[Math.floor(random() * LABELS.length)]!;
    const score = 2 + random();
    await store.finishTrial(
      studyId,
      id,
      {
        status: failed ? 'failed' : 'scored',
        label: failed ? label : null,
        labelDetail: failed ? `${label} in step ${Math.floor(random() * 3)}` : null,
        metrics: failed ? {} : { val_bpb: score },
        score: failed ? (random() < 0.3 ? score : null) : score,
        timings: { totalMs: Math.floor(random() * 5000) },
        logExcerpt: failed ? `Traceback\nRuntimeError: ${label} ${Math.floor(random() * 3)}` : '',
        cost: random() < 0.5 ? { usd: random() / 10, inputTokens: 10, outputTokens: 10, cachedTokens: 0 } : null,
      },
      () => random() < 0.3,
    );
  }
}

