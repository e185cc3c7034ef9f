import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { reply, type RecordedRequest } from '../../src/testing/loopback-llm/index.ts';
import { useScriptedStudies } from '../../src/testing/loopback-llm/scripted-studies.ts';
import { fixtureTaskHead } from '../../src/testing/fixture-recipe-task.ts';

/**
 * Full studies over the fixture recipe (objective (x - 3)^2, baseline 9) whose llm
 * specialists talk to the scripted loopback server over the real wire protocols. The
 * replies are scripted by the test: nothing here is a model's work. Assertions are on
 * the recorded trials, costs and the requests the server received.
 */
const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'recipe');
const studies = useScriptedStudies(FIXTURE);
const KEY_ENV = 'AUTOLAB_TEST_LOOPBACK_KEY';
process.env[KEY_ENV] = 'loopback-test-key';

function taskYaml(specialists: string[], extra: string[] = [], parallel = 1): string {
  return [
    ...fixtureTaskHead(),
    'preflight: { command: node --check train.js, timeout: 10s }',
    'gates: ["size <= 4096"]',
    'limits: { max_artifact_bytes: 100KB, max_file_bytes: 50KB }',
    'surfaces:',
    '  recipe: { paths: [config.json, train.js, lib/] }',
    'specialists:',
    ...specialists.map((line) => `  - ${line}`),
    `parallel: ${parallel}`,
    ...extra,
  ].join('\n');
}

const TRAIN_LAST_LINE = 'console.log(`trained with x=${config.x}`);';

describe('llm specialists over the loopback server', () => {
  afterAll(() => {
    delete process.env[KEY_ENV];
  });

  it('reads the lineage, edits, submits; the trial runs, is scored and carries its cost (openai-compatible base_url)', async () => {
    const seen: RecordedRequest[] = [];
    const s = await studies.open(
      (url) =>
        taskYaml(
          [`{ name: agent, kind: llm, surface: recipe, role: optimizer, model: "openai-compatible:loopback-coder", base_url: "${url}", knowledge: [notes/known.md], library: techniques }`],
          ['prices: { "openai-compatible:loopback-coder": { input: 1000, output: 2000 } }'],
        ),
      [
        (request) => (seen.push(request), reply.tool('read_lineage', {})),
        (request) => (seen.push(request), reply.tool('read_file', { path: 'config.json' })),
        (request) => (seen.push(request), reply.tool('edit_file', { path: 'config.json', old_text: '"x": 0', new_text: '"x": 2.5' })),
        (request) => (seen.push(request), reply.tool('read_library', { name: 'steps.md' })),
        reply.tool('submit', { hypothesis: 'move x towards 3: the lineage shows loss 9 at x = 0', expected_delta: -8.75, notes: 'first step' }),
      ],
      { 'notes/known.md': '# Known\nThe loss is a parabola in x.\n', 'techniques/steps.md': '# Steps\nTake half steps towards the optimum.\n' },
    );
    const summary = await s.drive(s.specialists('agent'), { trials: 1 });
    const [trial, ...rest] = await s.trials();
    expect(rest).toEqual([]);
    expect(trial).toMatchObject({ id: 1, specialist: 'agent', parent: 0, status: 'kept', score: 0.25, expectedDelta: -8.75, hypothesis: 'move x towards 3: the lineage shows loss 9 at x = 0' });
    expect(trial!.diff).toContain('+  "x": 2.5');
    expect(trial!.notes).toContain('first step');
    // 5 scripted replies of 100 input and 20 output tokens, at $1000/M in and $2000/M out.
    expect(trial!.cost).toEqual({ usd: expect.closeTo(0.7, 10), inputTokens: 500, outputTokens: 100, cachedTokens: 0 });
    expect(summary.stopReason).toBe('--trials 1 reached');
    // What the scripted server was sent: the role, the lineage, then each tool's result.
    expect(seen[0]!.format).toBe('openai');
    expect(seen[0]!.system).toContain('optimisation of training');
    expect(seen[0]!.transcript).toContain("# Lineage of study 'fixture'");
    expect(seen[0]!.transcript).toContain('Baseline #0: 9');
    expect(seen[0]!.toolNames).toEqual(expect.arrayContaining(['list_files', 'read_file', 'grep', 'edit_file', 'write_file', 'read_lineage', 'leaderboard', 'show_trial', 'rebase', 'run_preflight', 'submit']));
    expect(seen[1]!.lastToolResults[0]!.content).toContain('Incumbent #0: 9');
    expect(seen[2]!.lastToolResults[0]!.content).toContain('2:   "x": 0');
    expect(seen[3]!.lastToolResults[0]!.content).toContain('edited config.json');
    // Knowledge is pinned in the system prompt; the library is read on demand.
    expect(seen[0]!.system).toContain('The loss is a parabola in x.');
    expect(seen[0]!.toolNames).toEqual(expect.arrayContaining(['list_library', 'read_library']));
    expect(s.llm.requests.at(-1)!.lastToolResults[0]!.content).toContain('Take half steps towards the optimum.');
  });

  it('after a crash, the next session is offered the failing trial and submits a repair on it (Anthropic wire, streaming)', async () => {
    const crash = `${TRAIN_LAST_LINE}\nthrow new Error("diverged at step 7");`;
    const s = await studies.open(
      (url) => taskYaml([`{ name: agent, kind: llm, surface: recipe, role: architecture, model: "anthropic:claude-sonnet-4-5", base_url: "${url}", api_key_env: ${KEY_ENV}, stream: true }`]),
      [
        reply.tools([
          { name: 'edit_file', input: { path: 'config.json', old_text: '"x": 0', new_text: '"x": 2.5' } },
          { name: 'edit_file', input: { path: 'train.js', old_text: TRAIN_LAST_LINE, new_text: crash } },
        ], { usage: { input: 1000, output: 50, cached: 600, cacheWrite: 100 } }),
        reply.tool('submit', { hypothesis: 'x = 2.5 and an early stop' }),
        (request) =>
          request.transcript.includes('Your last trial failed: #1 (crash)') && request.transcript.includes('diverged at step 7')
            ? reply.tool('rebase', { trial: 1 })
            : reply.text('the crash was not offered'),
        reply.tool('edit_file', { path: 'train.js', old_text: crash, new_text: TRAIN_LAST_LINE }),
        reply.tool('submit', { hypothesis: 'repair #1: remove the throw that crashed it', parent: 1 }),
      ],
    );
    await s.drive(s.specialists('agent'), { trials: 2 });
    const [crashed, repaired] = await s.trials();
    expect(crashed).toMatchObject({ id: 1, status: 'failed', label: 'crash', parent: 0 });
    expect(crashed!.labelDetail).toContain('diverged at step 7');
    expect(repaired).toMatchObject({ id: 2, parent: 1, status: 'kept', score: 0.25, hypothesis: 'repair #1: remove the throw that crashed it' });
    expect(repaired!.notes).toContain('repair of #1 (crash)');
    expect(repaired!.diff).toContain('-throw new Error("diverged at step 7");');
    expect(s.llm.requests.every((request) => request.format === 'anthropic' && request.stream && request.headers['x-api-key'] === 'loopback-test-key')).toBe(true);
    // Cache reads and writes reach the cost: 1000 in (600 read, 100 written) + 100 + ..., priced from the built-in table.
    expect(crashed!.cost).toMatchObject({ inputTokens: 1100, outputTokens: 70, cachedTokens: 600 });
    expect(crashed!.cost!.usd).toBeCloseTo((300 * 3 + 600 * 0.3 + 100 * 3.75 + 100 * 3 + 70 * 15) / 1e6, 10);
  });

  it('sends malformed tool calls, unknown tools and refused edits back to the model as errors; the session goes on (OpenAI wire, streaming, control arm)', async () => {
    const s = await studies.open(
      (url) => taskYaml([`{ name: agent, kind: llm, surface: recipe, model: "openai:gpt-4o", base_url: "${url}", api_key_env: ${KEY_ENV}, stream: true }`]),
      [
        reply.rawTool('edit_file', '{"path": "config.json", "old_text": '),
        reply.tool('delete_everything', { really: true }),
        reply.tool('read_file', { path: 5 }),
        reply.tool('edit_file', { path: 'score.js', old_text: 'console.log', new_text: 'console.info' }),
        reply.tool('write_file', { path: 'notes.txt', content: 'x' }),
        reply.tool('edit_file', { path: 'config.json', old_text: '"x": 7', new_text: '"x": 1' }),
        reply.tool('submit', { hypothesis: 'nothing changed yet' }),
        reply.tool('write_file', { path: 'config.json', content: '{ "x": 2 }\n', overwrite: true }),
        reply.tool('submit', { hypothesis: 'x = 2' }),
      ],
    );
    await s.drive(s.specialists('agent'), { trials: 1, noLineage: true });
    // The control arm: only the incumbent's score, and no tool that reveals the history.
    expect(s.llm.requests[0]!.transcript).toContain('_Control arm: only the incumbent score is shown._');
    expect(s.llm.requests[0]!.toolNames).not.toEqual(expect.arrayContaining(['leaderboard']));
    expect(s.llm.requests[0]!.toolNames).not.toContain('show_trial');
    const results = s.llm.requests.slice(1).map((request) => request.lastToolResults[0]?.content ?? '');
    expect(results[0]).toMatch(/Invalid input for tool edit_file|JSON parsing failed/);
    expect(results[1]).toContain("unavailable tool 'delete_everything'");
    expect(results[2]).toMatch(/expected string/);
    expect(results[3]).toContain('refused: score.js is protected');
    expect(results[4]).toContain("refused: notes.txt is outside your surface 'recipe'");
    expect(results[5]).toContain('old_text was not found in config.json');
    expect(results[6]).toContain('nothing to submit');
    const [trial] = await s.trials();
    expect(trial).toMatchObject({ status: 'kept', score: 1, hypothesis: 'x = 2' });
    expect(s.llm.requests[0]!.headers.authorization).toBe('Bearer loopback-test-key');
    expect(s.llm.requests[0]!.path).toBe('/v1/chat/completions');
    // 9 calls of 100 in / 20 out at gpt-4o's built-in price ($2.5/M in, $10/M out).
    expect(trial!.cost).toEqual({ usd: expect.closeTo((900 * 2.5 + 180 * 10) / 1e6, 10), inputTokens: 900, outputTokens: 180, cachedTokens: 0 });
  });
  it('two specialists think at the same time, each in its own scratch worktree, while trials run', async () => {
    const s = await studies.open(
      (url) =>
        taskYaml(
          ['a', 'b'].map((name) => `{ name: ${name}, kind: llm, surface: recipe, model: "openai-compatible:loopback", base_url: "${url}" }`),
          [],
          2,
        ),
      (request) => {
        const name = /You are '(\w+)'/.exec(request.system)![1]!;
        const x = name === 'a' ? 2 : 4;
        if (!request.transcript.includes('assistant:')) return reply.tool('write_file', { path: 'config.json', content: `{ "x": ${x} }\n`, overwrite: true }, { delayMs: 200 });
        return reply.tool('submit', { hypothesis: `${name}: x = ${x}` });
      },
    );
    await s.drive(s.specialists('a', 'b'), { trials: 2, maxWaiting: 2 });
    const trials = await s.trials();
    expect(trials.map((trial) => [trial.specialist, trial.hypothesis, trial.score]).sort()).toEqual([
      ['a', 'a: x = 2', 1],
      ['b', 'b: x = 4', 1],
    ]);
    // Both sessions were under way before either submitted; each edit landed in its own worktree.
    const speakers = s.llm.requests.map((request) => /You are '(\w+)'/.exec(request.system)![1]);
    expect(new Set(speakers.slice(0, 2))).toEqual(new Set(['a', 'b']));
    for (const trial of trials) {
      const [mine, theirs] = trial.specialist === 'a' ? ['"x": 2', '"x": 4'] : ['"x": 4', '"x": 2'];
      expect(trial.diff).toContain(`+{ ${mine} }`);
      expect(trial.diff).not.toContain(theirs);
    }
  });
});
