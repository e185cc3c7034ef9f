import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TypedEmitter, type StudyEventMap } from '../../src/core/events.ts';
import { openStudy } from '../../src/engine/open-study.ts';
import { createSpecialist } from '../../src/specialists/registry.ts';
import { runCli } from '../../src/testing/cli.ts';
import { reply, type RecordedRequest } from '../../src/testing/loopback-llm/index.ts';
import { useScriptedStudies } from '../../src/testing/loopback-llm/scripted-studies.ts';
import { fixtureTaskHead } from '../../src/testing/fixture-recipe-task.ts';

/**
 * Memory across studies in real studies over the fixture recipe (loss (x - 3)^2, knob x
 * in [-10, 10]): the first study's kept trials become technique cards and its measured
 * trials knob observations; a second study of the same store with `memory: { use: true }`
 * shows the cards to its llm specialist and warm-starts its knobs specialist.
 */
const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'recipe');
const studies = useScriptedStudies(FIXTURE);

function taskYaml(url: string): string {
  return [
    ...fixtureTaskHead({ name: 'first' }),
    'surfaces:',
    '  recipe:',
    '    paths: [config.json, train.js, lib/]',
    '    knobs:',
    '      x: { file: config.json, key: x, type: float, low: -10, high: 10 }',
    'specialists:',
    '  - { name: tuner, kind: knobs, surface: recipe, sampler: tpe }',
    `  - { name: agent, kind: llm, surface: recipe, model: "openai-compatible:loopback", base_url: "${url}", max_steps: 3 }`,
    'memory: { use: true }',
  ].join('\n');
}

describe('memory across studies', () => {
  it('writes cards on keep and knob observations; the next study shows the cards to its llm and warm-starts its knobs', async () => {
    const seen: RecordedRequest[] = [];
    const s = await studies.open(taskYaml, [
      reply.tool('edit_file', { path: 'config.json', old_text: '"x": 0', new_text: '"x": 2.5' }),
      reply.tool('submit', { hypothesis: 'move x towards 3: the loss is a parabola' }),
      (request) => (seen.push(request), reply.text('reading')),
    ]);
    await s.drive(s.specialists('agent'), { trials: 1 });
    await s.drive(s.specialists('tuner'), { trials: 6 });
    const memory = s.study.store.researchMemory!();
    const cards = await memory.listCards();
    expect(cards.find((card) => card.trialId === 1)).toMatchObject({ study: 'first', specialist: 'agent', summary: 'move x towards 3: the loss is a parabola', effect: -8.75, parentScore: 9, score: 0.25, knobs: { x: 2.5 } });
    const observations = await memory.listKnobObservations({ knobNames: ['x'] });
    expect(observations.length).toBeGreaterThanOrEqual(6);
    expect(observations.every((observation) => observation.study === 'first')).toBe(true);
    const best = observations.reduce((top, observation) => (observation.score !== null && (top.score === null || observation.score < top.score) ? observation : top));

    // A second study in the same store (the next week's study of the same recipe).
    const events = new TypedEmitter<StudyEventMap>();
    const second = await openStudy(s.repoDir, { study: 'second', create: true, events });
    try {
      expect(second.task.memory).toEqual({ use: true, write: true });
      const agent = createSpecialist(second.task.specialists.find((spec) => spec.name === 'agent')!, second.task);
      await second.run({ specialists: [agent], trials: 1, scheduler: 'round-robin', maxWaiting: 0 });
      const first = s.llm.requests.filter((request) => !request.transcript.includes('assistant:')).at(-1)!;
      expect(first.transcript).toContain('## Memory: what earlier studies measured');
      expect(first.transcript).toContain('move x towards 3: the loss is a parabola');
      expect(first.transcript).toContain('(same recipe family)');
      const tuner = createSpecialist(second.task.specialists.find((spec) => spec.name === 'tuner')!, second.task);
      await second.run({ specialists: [tuner], trials: 2, scheduler: 'round-robin', maxWaiting: 0 });
      const trials = (await second.trials()).filter((trial) => trial.specialist === 'tuner');
      // The warm start first tries the best setting the first study measured.
      expect(trials[0]!.hypothesis).toContain('tpe+warm');
      expect(trials[0]!.notes).toContain(JSON.stringify({ x: best.values.x }).slice(1, -1));
      // A trial submitted by hand (`autolab submit`, study.submit) feeds the memory too.
      const submitted = await second.submit({ specialist: 'manual', parent: 0, hypothesis: 'x at the optimum 3', edit: { kind: 'files', files: { 'config.json': '{\n  "x": 3\n}\n' } } }, new AbortController().signal);
      expect(submitted.status).toBe('kept');
      expect((await memory.listCards()).find((card) => card.study === 'second' && card.trialId === submitted.id)).toMatchObject({ specialist: 'manual', summary: 'x at the optimum 3', knobs: { x: 3 } });
      expect((await memory.listKnobObservations({ knobNames: ['x'] })).some((observation) => observation.study === 'second' && observation.trialId === submitted.id)).toBe(true);
    } finally {
      await second.close();
    }
    // The CLI lists, shows and forgets cards.
    const listed = await runCli(['memory', 'list', '--json'], { cwd: s.repoDir });
    expect(listed.code, listed.stderr).toBe(0);
    const card = (JSON.parse(listed.stdout) as Array<{ id: string; trialId: number; study: string }>).find((entry) => entry.study === 'first' && entry.trialId === 1)!;
    const shown = await runCli(['memory', 'show', card.id], { cwd: s.repoDir });
    expect(shown.stdout).toContain('+  "x": 2.5');
    const forgot = await runCli(['memory', 'forget', card.id], { cwd: s.repoDir });
    expect(forgot.code, forgot.stderr).toBe(0);
    expect((await memory.listCards()).map((entry) => entry.id)).not.toContain(card.id);
  }, 300_000);
});
