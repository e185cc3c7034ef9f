/**
 * A child process for the group-commit tests (not a test itself): records trials from
 * several slots at once until it is killed, printing `created <id>` once each new trial
 * is acknowledged (its `createTrial` resolved) and `recorded <id>` once each outcome is
 * (its `finishTrial` resolved), so the parent can kill it mid-group and check that every
 * acknowledged trial and outcome is in the store.
 *
 *   node --import tsx store-recorder-child.ts <location> <study> <slots>
 */
import type { AcceptanceDecision, Store } from '../core/store.ts';
import { parseStoreLocation } from '../store/open-store.ts';
import { PostgresStore } from '../store/postgres-store.ts';
import { SqliteStore } from '../store/sqlite-store.ts';

const [location, studyText, slotsText] = process.argv.slice(2) as [string, string, string];
const studyId = Number(studyText);
const owner = { host: 'recorder', pid: process.pid, token: 'recorder' };
const keepIfLower: AcceptanceDecision = (candidate, incumbent) => incumbent === null || candidate.score < (incumbent.score ?? Infinity);

const parsed = parseStoreLocation(location);
const store: Store = parsed.kind === 'postgres' ? await PostgresStore.open(parsed.url, { maxConnections: 2 }) : await SqliteStore.open(parsed.file);

async function slot(index: number): Promise<never> {
  for (let n = 0; ; n++) {
    const trial = await store.createTrial(studyId, { specialist: 'knobs', parent: 0, hypothesis: `slot ${index} trial ${n}`, seed: n, edit: null, owner });
    process.stdout.write(`created ${trial.id}\n`);
    await store.updateTrial(studyId, trial.id, { status: 'running', owner }, { type: 'trial.started', data: { slot: index, gpu: null } }, { writeBehind: true });
    await store.updateTrial(studyId, trial.id, { commit: 'c', tree: `tree-${trial.id}`, diff: 'd' }, { type: 'trial.materialised', data: { commit: 'c' } });
    const score = Math.random();
    await store.finishTrial(studyId, trial.id, { status: 'scored', label: null, labelDetail: null, metrics: { loss: score }, score, timings: {}, logExcerpt: '' }, keepIfLower);
    process.stdout.write(`recorded ${trial.id}\n`);
  }
}

process.stdout.write('ready\n');
await Promise.all(Array.from({ length: Number(slotsText) }, (_, index) => slot(index)));
