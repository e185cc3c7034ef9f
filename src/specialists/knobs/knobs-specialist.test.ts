import { seededRandom } from '../../core/random.ts';
import { describe, expect, it } from 'vitest';
import { AutolabError } from '../../core/errors.ts';
import type { LineageFeedback } from '../../core/lineage.ts';
import { trialHistoryOf } from '../../core/trial-history.ts';
import type { ProposalContext } from '../../core/specialist.ts';
import type { KnobSpec, SpecialistSpec, TaskSpec } from '../../core/task.ts';
import type { Proposal, TrialRecord, TrialStatus } from '../../core/trial.ts';
import { parseKnobNotes } from './knob-history.ts';
import { observationRole } from './knob-observations.ts';
import type { KnobObservation, KnobSampleContext, KnobSampler } from './knob-sampler.ts';
import { readKnobValues } from './knob-io.ts';
import { createKnobsSpecialist } from './knobs-specialist.ts';
import { knobsTask } from '../../testing/knobs-task.ts';
import { makeSampledTrial } from '../../testing/trial-fixture.ts';

const KNOBS: KnobSpec[] = [
  { name: 'lr', file: 'config.json', key: 'optimizer.lr', type: 'float', low: 1e-4, high: 1, log: true },
  { name: 'batch', file: 'config.json', key: 'batch_size', type: 'int', low: 8, high: 256, log: true },
  { name: 'width', file: 'train.py', marker: 'width', type: 'int', low: 16, high: 512 },
  { name: 'act', file: 'train.py', marker: 'act', type: 'categorical', choices: ['relu', 'gelu', 'silu'] },
  { name: 'warmup', file: 'schedule.yaml', key: 'warmup.steps', type: 'int', low: 0, high: 1000 },
];

const BASELINE_FILES: Record<string, string> = {
  'config.json': '{\n  "optimizer": {\n    "lr": 0.01\n  },\n  "batch_size": 64\n}\n',
  'train.py': 'import torch\n\nWIDTH = 64  # autolab: width\nACT = "relu"  # autolab: act\n\nprint(WIDTH, ACT)\n',
  'schedule.yaml': '# warmup then cosine\nwarmup:\n  steps: 100  # linear\ndecay: cosine\n',
  'README.md': 'a recipe\n',
};

function makeTask(knobs: KnobSpec[] = KNOBS, options: Record<string, unknown> = {}): { task: TaskSpec; spec: SpecialistSpec } {
  const surface = { name: 'hyper', paths: ['config.json', 'train.py', 'schedule.yaml'] };
  const run = { command: 'python train.py', timeoutMs: 60_000 };
  return knobsTask({ name: 'toy', root: '/tmp/toy', knobs, surface, options, metric: 'loss', run, score: { command: 'python score.py', timeoutMs: 60_000 }, maxArtifactBytes: 1 << 30 });
}

function trial(id: number, status: TrialStatus, extra: Partial<TrialRecord> = {}): TrialRecord {
  const baseline = id === 0;
  return makeSampledTrial(id, {
    specialist: baseline ? 'baseline' : 'tuner',
    parent: baseline ? null : 0,
    hypothesis: baseline ? 'baseline' : `trial ${id}`,
    status,
    commit: status === 'pending' ? null : `commit${id}`,
    score: status === 'kept' || status === 'discarded' ? 1 - id / 100 : null,
    ...extra,
  });
}

function lineageFor(incumbent: TrialRecord): LineageFeedback {
  return {
    study: 'toy',
    objective: { metric: 'loss', direction: 'minimize' },
    baseline: { id: 0, score: 1 },
    incumbent: { id: incumbent.id, score: incumbent.score, deltaVsBaseline: incumbent.score === null ? null : incumbent.score - 1 },
    leaderboard: [],
    chain: [],
    recent: [],
    failures: [],
    own: null,
    counts: { total: 1, kept: 1, discarded: 0, failed: 0, running: 0, byLabel: {} },
    controlArm: false,
  };
}

/** A fake context over in-memory files keyed by trial id; records every file read. */
function makeContext(task: TaskSpec, filesByTrial: Record<number, Record<string, string>>, trials: TrialRecord[], incumbentId: number, seed = 1) {
  const reads: Array<[number, string]> = [];
  const incumbent = trials.find((candidate) => candidate.id === incumbentId) as TrialRecord;
  const context: ProposalContext = {
    task,
    surface: task.surfaces.hyper!,
    incumbent,
    history: trialHistoryOf(trials),
    lineage: lineageFor(incumbent),
    async readFile(trialId, path) {
      reads.push([trialId, path]);
      return filesByTrial[trialId]?.[path] ?? null;
    },
    workspace: {
      createScratch: async () => {
        throw new Error('the knobs specialist edits through proposals, not scratch worktrees');
      },
      diffBetween: async () => '',
    },
    random: seededRandom(seed),
    signal: new AbortController().signal,
  };
  return { context, reads };
}

/** Applies a files edit onto a parent's files. */
function applyEdit(parentFiles: Record<string, string>, proposal: Proposal): Record<string, string> {
  if (proposal.edit.kind !== 'files') throw new Error('expected a files edit');
  const next = { ...parentFiles };
  for (const [path, text] of Object.entries(proposal.edit.files)) {
    if (text === null) delete next[path];
    else next[path] = text;
  }
  return next;
}

describe('createKnobsSpecialist', () => {
  it('refuses a surface without knobs, a missing surface, bad knobs and bad options', () => {
    const none = makeTask([]);
    expect(() => createKnobsSpecialist(none.spec, none.task)).toThrow("specialist 'tuner' has kind knobs but surface 'hyper' declares no knobs");
    try {
      createKnobsSpecialist(none.spec, none.task);
    } catch (error) {
      expect(AutolabError.is(error) && error.name).toBe('TaskFileError');
    }
    const { task, spec } = makeTask();
    expect(() => createKnobsSpecialist({ ...spec, surface: 'nope' }, task)).toThrow(/names surface 'nope', which the task does not declare/);
    const broken = makeTask([{ name: 'lr', file: 'config.json', key: 'lr', type: 'float', low: 0, high: 1, log: true }]);
    expect(() => createKnobsSpecialist(broken.spec, broken.task)).toThrow(/surface 'hyper', knob 'lr': log scale needs low > 0/);
    const badOptions = makeTask(KNOBS, { sampler: 'bayes' });
    expect(() => createKnobsSpecialist(badOptions.spec, badOptions.task)).toThrow(/specialist 'tuner': options.sampler/);
    const unknownOption = makeTask(KNOBS, { temperature: 1 });
    expect(() => createKnobsSpecialist(unknownOption.spec, unknownOption.task)).toThrow(/specialist 'tuner': options/);
    const badNumber = makeTask(KNOBS, { sampler: 'tpe', ei_candidates: 0 });
    expect(() => createKnobsSpecialist(badNumber.spec, badNumber.task)).toThrow(/specialist 'tuner': options.ei_candidates/);
    const hugeGrid = makeTask(KNOBS, { sampler: 'grid', grid_points: 100 });
    expect(() => createKnobsSpecialist(hugeGrid.spec, hugeGrid.task)).toThrow(/specialist 'tuner': the grid over knobs .* has \d+ points/);
  });

  it('accepts every sampler and resolves auto from the space and the budget', () => {
    for (const sampler of ['tpe', 'cmaes', 'random', 'grid', 'auto']) {
      const { task, spec } = makeTask(KNOBS, { sampler, grid_points: 3, startup_trials: 5, ei_candidates: 32, prior_weight: 0.5, constant_liar: false });
      expect(createKnobsSpecialist(spec, task).sampler.name).toBe(sampler === 'auto' ? 'tpe' : sampler);
    }
    const numeric = KNOBS.filter((knob) => knob.type !== 'categorical');
    const large = makeTask(numeric);
    large.task.budget = { trials: 500 };
    expect(createKnobsSpecialist(large.spec, large.task).sampler.name).toBe('cmaes');
    const small = makeTask(numeric);
    small.task.budget = { trials: 60 };
    expect(createKnobsSpecialist(small.spec, small.task).sampler.name).toBe('tpe');
  });
});

describe('knobs specialist propose', () => {
  const incumbentFiles: Record<string, string> = {
    ...BASELINE_FILES,
    'train.py': BASELINE_FILES['train.py']!.replace('WIDTH = 64', 'WIDTH = 128'),
  };

  it('proposes a files edit on the incumbent that changes exactly the knob lines', async () => {
    const { task, spec } = makeTask(KNOBS, { sampler: 'random' });
    const trials = [trial(0, 'discarded'), trial(1, 'kept'), trial(2, 'kept')];
    for (let seed = 1; seed <= 40; seed += 1) {
      const specialist = createKnobsSpecialist(spec, task);
      const { context } = makeContext(task, { 0: BASELINE_FILES, 1: BASELINE_FILES, 2: incumbentFiles }, trials, 2, seed);
      const proposal = await specialist.propose(context);
      expect(proposal).not.toBeNull();
      const made = proposal as Proposal;
      expect(made.specialist).toBe('tuner');
      expect(made.parent).toBe(2);
      expect(made.hypothesis).toMatch(/^knobs: \w+ \S+ -> \S+(, \w+ \S+ -> \S+){0,2} \(random search around the incumbent, trial 2\)$/);

      const before = await readKnobValues(async (path) => incumbentFiles[path] ?? null, KNOBS);
      const after = applyEdit(incumbentFiles, made);
      const values = await readKnobValues(async (path) => after[path] ?? null, KNOBS);
      const changedKnobs = KNOBS.filter((knob) => values[knob.name] !== before[knob.name]);
      expect(changedKnobs.length).toBeGreaterThanOrEqual(1);
      expect(changedKnobs.length).toBeLessThanOrEqual(3);
      for (const knob of changedKnobs) expect(made.hypothesis).toContain(`${knob.name} `);
      // The notes record the full value set, exactly as the files now hold it.
      expect(parseKnobNotes(made.notes ?? '')).toEqual(values);

      // Only changed files are in the edit, and in each only the knob lines differ.
      const edited = Object.keys((made.edit as { files: Record<string, string> }).files);
      expect(edited.sort()).toEqual([...new Set(changedKnobs.map((knob) => knob.file))].sort());
      for (const path of edited) {
        const oldLines = incumbentFiles[path]!.split('\n');
        const newLines = after[path]!.split('\n');
        expect(newLines.length).toBe(oldLines.length);
        const differing = oldLines.filter((line, index) => line !== newLines[index]).length;
        expect(differing).toBe(changedKnobs.filter((knob) => knob.file === path).length);
      }
    }
  });

  it('replays the same proposal from the same seed', async () => {
    const { task, spec } = makeTask();
    const trials = [trial(0, 'kept')];
    const run = async () => createKnobsSpecialist(spec, task).propose(makeContext(task, { 0: BASELINE_FILES }, trials, 0, 99).context);
    expect(await run()).toEqual(await run());
  });

  it.each(['random', 'tpe', 'cmaes', 'grid', 'auto'])('%s: avoids value sets recorded in notes (in flight) or read from finished trials, reading each trial once', async (sampler) => {
    const depth: KnobSpec[] = [{ name: 'depth', file: 'net.py', marker: 'depth', type: 'int', low: 1, high: 4 }];
    const { task, spec } = makeTask(depth, { sampler });
    const netWith = (value: number) => ({ 'net.py': `DEPTH = ${value}  # autolab: depth\n` });
    const trials = [
      trial(0, 'kept'),
      trial(1, 'discarded'), // depth 1, known only from its files
      trial(2, 'running', { notes: 'random search\n{"knobs":{"depth":3},"sampler":"random"}' }),
      trial(3, 'failed', { commit: null, label: 'apply_failed' }), // no files to read
    ];
    const files = { 0: netWith(2), 1: netWith(1), 2: netWith(3) };
    for (let seed = 1; seed <= 20; seed += 1) {
      const { context } = makeContext(task, files, trials, 0, seed);
      const proposal = await createKnobsSpecialist(spec, task).propose(context);
      expect(proposal?.edit).toEqual({ kind: 'files', files: netWith(4) });
      expect(proposal?.hypothesis).toMatch(/^knobs: depth 2 -> 4 \((random|tpe|cmaes|grid) search/);
    }
    // One specialist reads a finished trial's files once: trial 2 has notes, trial 3 no commit.
    const specialist = createKnobsSpecialist(spec, task);
    for (let seed = 1; seed <= 5; seed += 1) {
      const { context, reads } = makeContext(task, files, trials, 0, seed);
      await specialist.propose(context);
      expect(reads.filter(([trialId]) => trialId !== 0)).toEqual(seed === 1 ? [[1, 'net.py']] : []);
    }
  });

  it('counts its own proposals that wait for a slot as in flight', async () => {
    const depth: KnobSpec[] = [{ name: 'depth', file: 'net.py', marker: 'depth', type: 'int', low: 1, high: 4 }];
    const { task, spec } = makeTask(depth, { sampler: 'grid' });
    const files = { 0: { 'net.py': 'DEPTH = 2  # autolab: depth\n' } };
    const specialist = createKnobsSpecialist(spec, task);
    const proposed: string[] = [];
    for (let round = 0; round < 3; round += 1) {
      const proposal = await specialist.propose(makeContext(task, files, [trial(0, 'kept')], 0, 7).context);
      expect(proposal).not.toBeNull();
      proposed.push(JSON.stringify(parseKnobNotes(proposal!.notes ?? '')));
      expect(proposal!.notes).toContain(`${round} proposals waiting`);
    }
    expect(new Set(proposed)).toEqual(new Set(['{"depth":1}', '{"depth":3}', '{"depth":4}']));
    // Every other grid point waits for a slot: nothing is left to propose.
    expect(await specialist.propose(makeContext(task, files, [trial(0, 'kept')], 0, 7).context)).toBeNull();
    // Once two of them are trials (recorded in flight), only the third still waits.
    const trials = [trial(0, 'kept'), ...proposed.slice(0, 2).map((values, index) => trial(index + 1, 'running', { notes: `{"knobs":${values},"sampler":"grid"}` }))];
    const wider = makeTask([{ ...depth[0]!, high: 8 }], { sampler: 'grid', grid_points: 8 });
    const widerSpecialist = createKnobsSpecialist(wider.spec, wider.task);
    const first = await widerSpecialist.propose(makeContext(wider.task, files, trials, 0, 7).context);
    expect(first!.notes).toContain('0 proposals waiting');
    const second = await widerSpecialist.propose(makeContext(wider.task, files, trials, 0, 7).context);
    expect(second!.notes).toContain('1 proposals waiting');
    const recorded = [...trials, trial(3, 'pending', { notes: first!.notes! })];
    const third = await widerSpecialist.propose(makeContext(wider.task, files, recorded, 0, 7).context);
    expect(third!.notes).toContain('1 proposals waiting');
    const values = [first, second, third].map((proposal) => parseKnobNotes(proposal!.notes ?? '')!.depth);
    expect(new Set(values).size).toBe(3);
  });

  it("learns from other specialists' trials: knob values read at their commit, scores, failures and the direction", async () => {
    const { task, spec } = makeTask();
    task.objective = { metric: 'accuracy', direction: 'maximize' };
    const llmFiles = { ...BASELINE_FILES, 'config.json': BASELINE_FILES['config.json']!.replace('0.01', '0.003'), 'model.py': 'new code\n' };
    const crashedFiles = { ...BASELINE_FILES, 'train.py': BASELINE_FILES['train.py']!.replace('WIDTH = 64', 'WIDTH = 500') };
    const trials = [
      trial(0, 'kept', { score: 0.5 }),
      // An llm specialist's trial: no knobs line in its notes; it changed lr along with code.
      trial(1, 'kept', { specialist: 'agent', notes: 'tried a smaller lr with a new block', score: 0.7 }),
      // A command specialist's trial that crashed: a bad region, not missing data.
      trial(2, 'failed', { specialist: 'cli', label: 'crash', score: null }),
      // The machine's fault: says nothing about the knobs.
      trial(3, 'failed', { specialist: 'cli', label: 'infra_error', score: null }),
      // Still running: in flight for the constant liar.
      trial(4, 'running', { specialist: 'agent', score: null }),
    ];
    const files = { 0: BASELINE_FILES, 1: llmFiles, 2: crashedFiles, 3: BASELINE_FILES, 4: crashedFiles };
    const seen: Array<{ history: KnobObservation[]; context: KnobSampleContext | undefined }> = [];
    const spy: KnobSampler = {
      name: 'spy',
      sample(_space, history, incumbent, _random, context) {
        seen.push({ history: [...history], context });
        return { ...incumbent, act: 'gelu' };
      },
    };
    const specialist = createKnobsSpecialist(spec, task, { sampler: spy });
    const { context, reads } = makeContext(task, files, trials, 1);
    const proposal = await specialist.propose(context);
    expect(proposal?.parent).toBe(1);
    expect(reads.some(([trialId, path]) => trialId === 1 && path === 'config.json')).toBe(true);
    const [call] = seen;
    expect(call?.context?.direction).toBe('maximize');
    const byId = new Map(call!.history.map((observation) => [observation.trialId, observation]));
    expect(byId.get(1)).toMatchObject({ status: 'kept', score: 0.7, values: { lr: 0.003, batch: 64, width: 64, act: 'relu', warmup: 100 } });
    expect(byId.get(2)).toMatchObject({ status: 'failed', label: 'crash', score: null, values: { width: 500 } });
    expect(byId.get(3)?.label).toBe('infra_error');
    expect(byId.get(4)).toMatchObject({ status: 'running', values: { width: 500 } });
    expect(observationRole(byId.get(2)!)).toBe('failed');
    expect(observationRole(byId.get(3)!)).toBe('ignored');
    expect(observationRole(byId.get(4)!)).toBe('in_flight');
  });

  it('looks at most at the last 1000 trials', async () => {
    const depth: KnobSpec[] = [{ name: 'depth', file: 'net.py', marker: 'depth', type: 'int', low: 1, high: 2000 }];
    const { task, spec } = makeTask(depth);
    const trials = Array.from({ length: 1060 }, (_, id) => trial(id, 'discarded'));
    const files: Record<number, Record<string, string>> = {};
    for (const { id } of trials) files[id] = { 'net.py': `DEPTH = ${id + 1}  # autolab: depth\n` };
    const { context, reads } = makeContext(task, files, trials, 0);
    await createKnobsSpecialist(spec, task).propose(context);
    const readTrials = new Set(reads.map(([trialId]) => trialId));
    expect(readTrials.has(0)).toBe(true); // the incumbent
    expect(readTrials.has(59)).toBe(false);
    expect(readTrials.has(60)).toBe(true);
    expect(readTrials.has(1059)).toBe(true);
  });

  it('returns null when its sampler changes nothing', async () => {
    const { task, spec } = makeTask();
    const specialist = createKnobsSpecialist(spec, task, { sampler: { name: 'stuck', sample: (_space, _history, incumbent) => ({ ...incumbent }) } });
    const { context } = makeContext(task, { 0: BASELINE_FILES }, [trial(0, 'kept')], 0);
    expect(await specialist.propose(context)).toBeNull();
  });

  it('throws a KnobError naming the knob when the incumbent lost its marker', async () => {
    const { task, spec } = makeTask();
    const broken = { ...BASELINE_FILES, 'train.py': 'WIDTH = 64\nACT = "relu"  # autolab: act\n' };
    const { context } = makeContext(task, { 0: broken }, [trial(0, 'kept')], 0);
    await expect(createKnobsSpecialist(spec, task).propose(context)).rejects.toThrow(/knob 'width' \(train\.py, marker 'autolab: width'\): no line carries/);
  });
});
