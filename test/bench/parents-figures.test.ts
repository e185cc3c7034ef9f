import { describe, expect, it } from 'vitest';
import { programSearchAgent } from '../../bench/parents-agent.ts';
import { branchOf, lineageFigures, type LineageTrial } from '../../bench/parents-figures.ts';
import { mulberry32 } from '../../src/specialists/knobs/sampler-math.ts';
import type { RecordedRequest } from '../../src/testing/loopback-llm/recorded-request.ts';

/** The figures of bench:parents on hand-built lineages, and its scripted agent's turns. */
const trial = (id: number, parent: number | null, score: number | null, status = 'discarded'): LineageTrial => ({ id, parent, score, status });

describe('lineage figures', () => {
  it('counts one lineage when every trial builds on the incumbent chain', () => {
    const trials = [trial(0, null, 4.5, 'kept'), trial(1, 0, 4, 'kept'), trial(2, 1, 4.2), trial(3, 1, 3, 'kept'), trial(4, 3, 2.5, 'kept')];
    expect(lineageFigures(trials, 'minimize')).toEqual({ best: 2.5, lineagesAdvanced: 1, improvingSteps: 3, distinctParents: 3 });
  });

  it('counts branches off the baseline that beat their parent somewhere, not those that only got worse', () => {
    const trials = [trial(0, null, 4.5, 'kept'), trial(1, 0, 5), trial(2, 1, 4.8), trial(3, 0, 6), trial(4, 3, 5.5), trial(5, 0, 4.6), trial(6, 5, null, 'failed')];
    // branch 1: #2 beats #1; branch 3: #4 beats #3; branch 5: nothing better than its parent
    expect(lineageFigures(trials, 'minimize')).toMatchObject({ best: 4.5, lineagesAdvanced: 2, improvingSteps: 2 });
    expect(branchOf(trials[6]!, new Map(trials.map((entry) => [entry.id, entry])))).toBe(5);
  });

  it('reads maximised scores the other way', () => {
    expect(lineageFigures([trial(0, null, 1, 'kept'), trial(1, 0, 2, 'kept'), trial(2, 0, 0.5)], 'maximize')).toMatchObject({ best: 2, improvingSteps: 1, lineagesAdvanced: 1 });
  });
});

describe('the scripted program-search agent', () => {
  const request = (content?: string) => ({ lastToolResults: content === undefined ? [] : [{ callId: 'c', content, isError: false }] }) as unknown as RecordedRequest;

  it('reads the program, moves one coordinate by at most the step, then submits', async () => {
    const agent = programSearchAgent(mulberry32(3));
    expect(await agent(request())).toMatchObject({ toolCalls: [{ name: 'read_file', input: { path: 'program.json' } }] });
    const edit = (await agent(request('1\t{"x":[0,1,2]}'))) as { toolCalls: Array<{ input: { old_text: string; new_text: string } }> };
    expect(edit.toolCalls[0]!.input.old_text).toBe('{"x":[0,1,2]}');
    const next = (JSON.parse(edit.toolCalls[0]!.input.new_text) as { x: number[] }).x;
    const moved = next.map((value, i) => Math.abs(value - [0, 1, 2][i]!));
    expect(moved.filter((delta) => delta > 0).length).toBeLessThanOrEqual(1);
    expect(Math.max(...moved)).toBeLessThanOrEqual(1.5);
    expect(await agent(request('edited program.json: replaced 1 occurrence at line 1'))).toMatchObject({ toolCalls: [{ name: 'submit' }] });
  });
});

describe('the in-process replay of bench:parents', () => {
  it('scores programs as score.js does: 4.5 at the baseline, 1.5 on the near floors, 0 on the far ones', async () => {
    const { scoreProgram } = await import('../../bench/parents-replay.ts');
    expect(scoreProgram([0, 0, 0]).loss).toBeCloseTo(4.5, 9);
    expect(scoreProgram([1, 1, 1]).loss).toBeCloseTo(1.5, 9);
    expect(scoreProgram([-4, -4, -4])).toEqual({ loss: 0, x_mean: -4 });
  });

  it('starts every incumbent-strategy trial at the incumbent of its time, and islands from the baseline first', async () => {
    const { replayParentsStudy } = await import('../../bench/parents-replay.ts');
    const incumbent = await replayParentsStudy({ strategy: 'incumbent' }, 0, 20);
    expect(incumbent.lineagesAdvanced).toBe(1);
    const islands = await replayParentsStudy({ strategy: 'islands', islands: 4, migration: 5 }, 0, 20);
    expect(islands.lineagesAdvanced).toBeGreaterThanOrEqual(2);
    expect(islands.distinctParents).toBeGreaterThan(incumbent.distinctParents - 1);
  });
});
