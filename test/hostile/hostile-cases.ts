/**
 * The hostile-trial suite: each case is an edit a model might write to cheat or to harm
 * (or a few steps a user or a trial might take against the study's state), run through
 * the real engine on the fixture recipe. A case is contained when the trial ends with
 * the expected label, within its budget, scored as what it really is, and leaves
 * nothing behind on the host; each verdict names the layer of autolab that stopped it.
 * The kinds of case live in their own files; this one lists them all.
 */
import { ARTIFACT_CASES } from './hostile-cases-artifacts.ts';
import { LINEAGE_CASES } from './hostile-cases-lineage.ts';
import { RECORD_CASES } from './hostile-cases-record.ts';
import { RUN_CASES } from './hostile-cases-run.ts';
import type { HostileCase } from './hostile-case-kit.ts';

export * from './hostile-case-kit.ts';

export const HOSTILE_CASES: HostileCase[] = [...RUN_CASES, ...ARTIFACT_CASES, ...LINEAGE_CASES, ...RECORD_CASES];

/**
 * The cases the test suite also runs with `sandbox: none`: those whose layer could hide
 * behind the sandbox when both are on (the artifact seal: the promise is that it
 * holds where bubblewrap is unavailable; the budgets and limits). The others run the
 * same code in both modes; `npm run bench:hostile` runs every case in both.
 */
export const UNSANDBOXED_TEST_CASES: HostileCase[] = [
  ...ARTIFACT_CASES,
  ...RUN_CASES.filter((hostile) => ['fill-disk', 'flood-stdout', 'sleep-past-budget'].includes(hostile.name)),
];
