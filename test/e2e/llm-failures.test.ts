import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { statusCommand } from '../../src/cli/commands/inspect.ts';
import { reply, type RecordedRequest } from '../../src/testing/loopback-llm/index.ts';
import { useScriptedStudies } from '../../src/testing/loopback-llm/scripted-studies.ts';
import { fixtureTaskHead } from '../../src/testing/fixture-recipe-task.ts';

/**
 * Failures of llm sessions in full studies over the fixture recipe (baseline loss 9),
 * driven by the scripted loopback server (the replies are the test's script, not a
 * model's work): a 429 storm, a model that never submits, a USD budget running out.
 * Assertions are on recorded trials, events and costs.
 */
const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'recipe');
const studies = useScriptedStudies(FIXTURE);

function taskYaml(specialist: string, extra: string[] = []): string {
  return [
    ...fixtureTaskHead(),
    'surfaces:',
    '  recipe: { paths: [config.json, train.js, lib/] }',
    'specialists:',
    `  - ${specialist}`,
    'parallel: 1',
    'prices: { "openai-compatible:loopback": { input: 5000, output: 0 } }',
    ...extra,
  ].join('\n');
}

const agent = (url: string, extra = '') => `{ name: agent, kind: llm, surface: recipe, model: "openai-compatible:loopback", base_url: "${url}", retry_delay: 0.02${extra} }`;

/** Session k (1-based) sets x = k, then submits. */
function settingX(): (request: RecordedRequest) => ReturnType<typeof reply.tool> {
  let session = 0;
  return (request) => {
    if (!request.transcript.includes('assistant:')) {
      session++;
      return reply.tool('write_file', { path: 'config.json', content: `{ "x": ${session} }\n`, overwrite: true });
    }
    return reply.tool('submit', { hypothesis: `x = ${session}` });
  };
}

describe('llm sessions that fail, in a study that goes on', () => {
  it('a 429 storm is retried (honouring retry-after), then the session ends with a recorded reason and the study goes on', async () => {
    const s = await studies.open((url) => taskYaml(agent(url, ', max_retries: 3')), [
      reply.error(429, { retryAfter: '0.3' }),
      reply.error(429, { message: 'rate limited' }),
      reply.error(429),
      reply.error(429),
      reply.error(500),
      reply.tool('write_file', { path: 'config.json', content: '{ "x": 2 }\n', overwrite: true }),
      reply.tool('submit', { hypothesis: 'x = 2' }),
    ]);
    const summary = await s.drive(s.specialists('agent'), { trials: 1 });
    const requests = s.llm.requests;
    expect(requests).toHaveLength(7);
    expect(requests[1]!.at - requests[0]!.at).toBeGreaterThanOrEqual(280);
    const [none, ...more] = await s.events('proposal.none');
    expect(more).toEqual([]);
    expect(none!.data).toMatchObject({ specialist: 'agent', outcome: 'failed', retries: 3, steps: 0, cost: { usd: 0, inputTokens: 0 } });
    expect(none!.data.reason).toMatch(/rate limit .*gave up after 3 retries/);
    expect(s.warnings.map((warning) => warning.code)).toContain('specialist_no_proposal');
    const [trial] = await s.trials();
    expect(trial).toMatchObject({ status: 'kept', score: 1, hypothesis: 'x = 2' });
    expect(summary.stopReason).toBe('--trials 1 reached');
  });

  it('a model that never submits ends each session at the step limit; the cost is recorded, no trial is made', async () => {
    const s = await studies.open((url) => taskYaml(agent(url, ', max_steps: 3')), () => reply.tool('list_files', {}));
    const summary = await s.drive(s.specialists('agent'));
    expect(await s.trials()).toEqual([]);
    const sessions = await s.events('proposal.none');
    expect(sessions).toHaveLength(3);
    for (const session of sessions) {
      expect(session.data).toMatchObject({ outcome: 'no_proposal', reason: 'step limit of 3 model calls reached without submit', steps: 3, toolCalls: 3, cost: { inputTokens: 300, outputTokens: 60, usd: 1.5 } });
    }
    expect(s.llm.requests).toHaveLength(9);
    expect(summary.stopReason).toBe('no specialist has anything more to propose');
  });

  it('a USD budget running out mid-study: no new proposals after it is spent, the paid proposal still runs, costs are recorded', async () => {
    // Each session: 2 calls of 100 prompt tokens at $5000/M = $1. Budget $2.5: the third session crosses it.
    const s = await studies.open((url) => taskYaml(agent(url), ['budget: { usd: 2.5 }']), settingX());
    const summary = await s.drive(s.specialists('agent'), { trials: 10 });
    const trials = await s.trials();
    expect(trials.map((trial) => [trial.hypothesis, trial.status, trial.score])).toEqual([
      ['x = 1', 'kept', 4],
      ['x = 2', 'kept', 1],
      ['x = 3', 'kept', 0],
    ]);
    expect(trials.map((trial) => trial.cost)).toEqual(Array(3).fill({ usd: 1, inputTokens: 200, outputTokens: 40, cachedTokens: 0 }));
    expect(s.llm.requests).toHaveLength(6);
    expect(summary.stopReason).toBe('budget of $2.5 spent ($3.00 on models)');
    // `autolab status --json` shows the spend per specialist.
    const printed: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string) => (printed.push(String(chunk)), true)) as typeof process.stdout.write;
    try {
      await statusCommand(s.repoDir, { json: true });
    } finally {
      process.stdout.write = write;
    }
    expect(JSON.parse(printed.join('')).spend.agent).toEqual({ usd: 3, inputTokens: 600, outputTokens: 120, cachedTokens: 0, proposals: 3, sessionsWithoutProposal: 0, dropped: 0 });
    // Resuming a spent study makes no proposal at all.
    const again = await s.drive(s.specialists('agent'), { trials: 10 });
    expect(again.stopReason).toBe('budget of $2.5 spent ($3.00 on models)');
    expect(s.llm.requests).toHaveLength(6);
  });
});
