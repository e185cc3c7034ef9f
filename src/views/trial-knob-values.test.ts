import { describe, expect, it } from 'vitest';
import { makeTrial } from '../testing/trial-fixture.ts';
import { knobsOfTask } from './study-knobs.ts';
import { TrialKnobValues, type FilesAtCommits } from './trial-knob-values.ts';

const task = JSON.stringify({
  surfaces: {
    hyper: {
      knobs: [
        { name: 'lr', file: 'config.json', key: 'lr', type: 'float', low: 0.0001, high: 1, log: true },
        { name: 'width', file: 'train.py', marker: 'width', type: 'int', low: 16, high: 512 },
      ],
    },
    other: { knobs: [{ name: 'lr', file: 'other.json', key: 'lr', type: 'float', low: 0, high: 1 }, { name: 'act', file: 'other.json', key: 'act', type: 'categorical', choices: ['relu', 'gelu'] }] },
  },
});

const files: Record<string, Record<string, string>> = {
  c0: { 'config.json': '{"lr": 0.001}', 'train.py': 'width = 48  # autolab: width\n', 'other.json': '{"lr": 0.5, "act": "relu"}' },
  c1: { 'config.json': '{"lr": 0.02}', 'train.py': 'width = 48  # autolab: width\n', 'other.json': '{"lr": 0.5, "act": "relu"}' },
  c2: { 'config.json': '{"lr": 0.001}', 'train.py': 'width = 96\n', 'other.json': '{"lr": 0.25, "act": "gelu"}' },
};

/** A fake repo: blob ids are the file text; counts what was asked for. */
function fakeRepo() {
  const calls: Array<{ requests: number; known: number }> = [];
  const read: FilesAtCommits = async (requests, known) => {
    calls.push({ requests: requests.length, known: known.size });
    return requests.map(({ commit, path }) => {
      const text = files[commit]?.[path];
      if (text === undefined) return null;
      return { blob: `blob:${text}`, text: known.has(`blob:${text}`) ? '' : text };
    });
  };
  return { read, calls };
}

describe('knobsOfTask', () => {
  it('lists every surface\'s knobs, qualifying a name two surfaces share', () => {
    expect(knobsOfTask(task).map((knob) => [knob.surface, knob.column])).toEqual([
      ['hyper', 'hyper.lr'],
      ['hyper', 'width'],
      ['other', 'other.lr'],
      ['other', 'act'],
    ]);
    expect(knobsOfTask('not json')).toEqual([]);
    expect(knobsOfTask('{"surfaces":{"s":{"knobs":[{"name":"x"}]}}}')).toEqual([]);
  });
});

describe('TrialKnobValues', () => {
  const knobs = knobsOfTask(task);

  it('reads each trial once, from its notes when they name every knob, else from its files at its commit', async () => {
    const repo = fakeRepo();
    const reader = new TrialKnobValues(knobs, repo.read);
    const trials = [
      makeTrial({ id: 0, commit: 'c0', parent: null }),
      makeTrial({ id: 1, commit: 'c1' }),
      // A knobs specialist's notes: unambiguous names are taken from them, the rest from files.
      makeTrial({ id: 2, commit: 'c2', notes: 'tried a wider net\n{"knobs":{"width":128,"act":"gelu"},"sampler":"tpe"}' }),
      makeTrial({ id: 3, commit: null, status: 'failed', label: 'apply_failed', notes: '{"knobs":{"width":64},"sampler":"random"}' }),
    ];
    const values = await reader.read(trials);
    expect(Object.fromEntries(values)).toEqual({
      0: { 'hyper.lr': 0.001, width: 48, 'other.lr': 0.5, act: 'relu' },
      1: { 'hyper.lr': 0.02, width: 48, 'other.lr': 0.5, act: 'relu' },
      2: { 'hyper.lr': 0.001, width: 128, 'other.lr': 0.25, act: 'gelu' },
      3: { width: 64 },
    });
    expect(repo.calls).toEqual([{ requests: 8, known: 0 }]);
    // Read again: nothing new to read.
    expect(Object.fromEntries(await reader.read(trials))).toEqual(Object.fromEntries(values));
    expect(repo.calls).toHaveLength(1);
    // Fewer trials than were read: exactly those come back.
    expect([...(await reader.read(trials.slice(0, 2))).keys()]).toEqual([0, 1]);
    // A new trial sharing blobs: those are not parsed again (they come back without text).
    const more = await reader.read([...trials, makeTrial({ id: 4, commit: 'c1' })]);
    expect(more.get(4)).toEqual(values.get(1));
    expect(repo.calls[1]).toEqual({ requests: 3, known: 5 });
  });

  it('leaves out a knob whose marker an edit removed, and reads a trial again once its commit appears', async () => {
    const repo = fakeRepo();
    const reader = new TrialKnobValues(knobs, repo.read);
    const pending = makeTrial({ id: 5, commit: null, status: 'pending' });
    expect((await reader.read([pending])).get(5)).toEqual({});
    files.c5 = { 'config.json': '{"lr": 0.3}', 'train.py': 'no marker here\n', 'other.json': '{"lr": 0.1, "act": "gelu"}' };
    const values = await reader.read([{ ...pending, commit: 'c5', status: 'discarded' }]);
    expect(values.get(5)).toEqual({ 'hyper.lr': 0.3, 'other.lr': 0.1, act: 'gelu' });
    expect(reader.peek(5)).toEqual(values.get(5));
  });

  it('without the private repo, takes what the notes say', async () => {
    const reader = new TrialKnobValues(knobs, null);
    const values = await reader.read([makeTrial({ id: 1, notes: '{"knobs":{"width":96,"lr":0.1},"sampler":"tpe"}' })]);
    expect(values.get(1)).toEqual({ width: 96 });
  });

  it('retries later when the repo cannot be read', async () => {
    let fail = true;
    const reader = new TrialKnobValues(knobs, async (requests, known) => {
      if (fail) throw new Error('repo locked');
      return fakeRepo().read(requests, known);
    });
    const trial = makeTrial({ id: 1, commit: 'c1' });
    expect((await reader.read([trial])).get(1)).toEqual({});
    fail = false;
    expect((await reader.read([trial])).get(1)).toEqual({ 'hyper.lr': 0.02, width: 48, 'other.lr': 0.5, act: 'relu' });
  });
});
