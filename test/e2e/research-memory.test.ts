import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SESSION_EXPORT_SCHEMA } from '../../src/export/session-records.ts';
import { runCli } from '../../src/testing/cli.ts';
import { reply } from '../../src/testing/loopback-llm/index.ts';
import { useScriptedStudies } from '../../src/testing/loopback-llm/scripted-studies.ts';
import { fixtureTaskHead } from '../../src/testing/fixture-recipe-task.ts';

/**
 * The session archive, the knowledge base and record_note in full studies over the
 * fixture recipe (objective (x - 3)^2, baseline 9), with llm specialists talking to the
 * scripted loopback server over the real wire protocols and a command specialist running
 * a real script. Nothing here is a model's work: the replies are scripted.
 */
const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'recipe');
const studies = useScriptedStudies(FIXTURE);
const KEY_ENV = 'AUTOLAB_TEST_LOOPBACK_MEMORY_KEY';
const SECRET = 'sk-proj-abcdefghijklmnopqrstuvwx0123456789';
process.env[KEY_ENV] = 'loopback-test-key-that-is-long-enough';

function taskYaml(specialists: string[]): string {
  return [
    ...fixtureTaskHead(),
    'surfaces:',
    '  recipe: { paths: [config.json, train.js, lib/] }',
    'specialists:',
    ...specialists.map((line) => `  - ${line}`),
    'prices: { "openai-compatible:loopback": { input: 1000, output: 2000 } }',
  ].join('\n');
}

describe('research memory over the loopback server', () => {
  afterAll(() => {
    delete process.env[KEY_ENV];
  });

  it('archives every session in full (a retry, tool calls and results, a session without submit), redacts secrets, and links sessions to trials (OpenAI wire)', async () => {
    const s = await studies.open(
      (url) => taskYaml([`{ name: agent, kind: llm, surface: recipe, role: optimizer, model: "openai-compatible:loopback", base_url: "${url}", max_steps: 3, retry_delay: 10ms }`]),
      [
        reply.error(500, { message: 'overloaded, try again' }),
        reply.tool('read_file', { path: 'secrets.txt' }),
        reply.tools([
          { name: 'record_note', input: { text: `x above 3 overshoots; never paste ${SECRET}` } },
          { name: 'edit_file', input: { path: 'config.json', old_text: '"x": 0', new_text: '"x": 2.5' } },
        ]),
        reply.tool('submit', { hypothesis: 'move x towards 3' }),
        // The second session: reads the knowledge base, then runs out of steps without submitting.
        reply.tool('read_knowledge', {}),
        reply.text('I am thinking about it.'),
        reply.text('Still thinking.'),
      ],
      { 'secrets.txt': `OPENAI_API_KEY=${SECRET}\n` },
    );
    await s.drive(s.specialists('agent'), { trials: 2 });
    const trials = await s.trials();
    expect(trials.map((trial) => [trial.id, trial.status])).toEqual([[1, 'kept']]);

    const archive = s.study.store.researchMemory!();
    const sessions = await archive.listSessions(s.study.record.id);
    // Two scripted sessions; the study then kept asking and the exhausted script failed the rest.
    expect(sessions.length).toBeGreaterThanOrEqual(2);
    expect(sessions.slice(2).every((session) => session.trialId === null && session.outcome !== 'submitted')).toBe(true);
    const [first, second] = sessions;
    expect(first).toMatchObject({ specialist: 'agent', kind: 'llm', model: 'openai-compatible:loopback', trialId: 1, outcome: 'submitted', steps: 3, retries: 1, parent: 0 });
    expect(first!.system).toContain("You are 'agent'");
    expect(first!.firstMessage).toContain("# Lineage of study 'fixture'");
    expect(first!.cost).toMatchObject({ inputTokens: 300, outputTokens: 60 });
    expect(first!.durationMs).toBeGreaterThan(0);
    const roles = first!.messages.map((message) => (message.role === 'assistant' ? `assistant:${message.toolCalls.map((call) => call.name).join('+')}` : message.role === 'tool' ? `tool:${message.name}` : message.role));
    expect(roles).toEqual(['retry', 'assistant:read_file', 'tool:read_file', 'assistant:record_note+edit_file', 'tool:record_note', 'tool:edit_file', 'assistant:submit', 'tool:submit']);
    expect(first!.messages[0]).toMatchObject({ role: 'retry', kind: expect.any(String), message: expect.stringContaining('500') });
    expect(first!.messages[1]).toMatchObject({ role: 'assistant', toolCalls: [{ name: 'read_file', arguments: { path: 'secrets.txt' } }], tokens: { input: 100, output: 20 } });
    // The secret a tool read and the note that quoted it are redacted in the archive and the notes.
    const archived = JSON.stringify(sessions);
    expect(archived).toContain('OPENAI_API_KEY=[redacted api key]');
    expect(archived).not.toContain(SECRET);
    expect(archived).not.toContain(process.env[KEY_ENV]);
    const notes = await archive.listNotes(s.study.record.id);
    expect(notes).toEqual([expect.objectContaining({ author: 'agent', sessionId: first!.id, text: expect.stringContaining('x above 3 overshoots') })]);
    expect(notes[0]!.text).not.toContain(SECRET);

    // The session that proposed nothing is archived too, and it saw the note through read_knowledge.
    expect(second).toMatchObject({ trialId: null, outcome: 'no_proposal', reason: expect.stringContaining('step limit'), steps: 3 });
    const knowledgeResult = second!.messages.find((message) => message.role === 'tool' && message.name === 'read_knowledge');
    expect(knowledgeResult).toMatchObject({ error: false, result: expect.stringContaining('x above 3 overshoots') });
    expect(knowledgeResult).toMatchObject({ result: expect.stringContaining('move x towards 3') });
    expect(second!.messages.at(-1)).toMatchObject({ role: 'user', text: expect.stringContaining('Continue with the tools') });

    // The knowledge files were regenerated after the trial.
    const dir = join(s.repoDir, '.autolab', 'studies', 'fixture', 'knowledge');
    const hypotheses = await readFile(join(dir, 'hypotheses.md'), 'utf8');
    expect(hypotheses).toContain('#0 → #1 (agent): move x towards 3 — kept, -8.75 (single run)');
    expect(await readFile(join(dir, 'leaderboard.md'), 'utf8')).toContain('| 1 | #1 | 0.25 | -8.75 |');
    expect(await readFile(join(dir, 'notes.md'), 'utf8')).toContain('**agent**: x above 3 overshoots');

    // The CLI: the archive, a replay beside the diff, the knowledge base, and the sessions as training data.
    const listed = await runCli(['sessions', '--json'], { cwd: s.repoDir });
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout).slice(0, 2)).toEqual([expect.objectContaining({ id: first!.id, trialId: 1, messages: 8 }), expect.objectContaining({ id: second!.id, trialId: null })]);
    const table = await runCli(['sessions', '--specialist', 'agent'], { cwd: s.repoDir });
    expect(table.stdout).toContain('step limit of 3 model calls reached without submit');
    const replay = await runCli(['show', '1', '--session'], { cwd: s.repoDir });
    expect(replay.code, replay.stderr).toBe(0);
    expect(replay.stdout).toContain('→ record_note({"text":"x above 3 overshoots; never paste [redacted api key]"})');
    expect(replay.stdout).toContain('retry (overloaded)');
    expect(replay.stdout).toContain('+  "x": 2.5');
    const knowledge = await runCli(['knowledge', '--paths'], { cwd: s.repoDir });
    expect(knowledge.stdout.split('\n').filter(Boolean).map((path) => path.split('/').pop())).toEqual(['README.md', 'leaderboard.md', 'hypotheses.md', 'failures.md', 'notes.md']);
    const out = join(s.repoDir, 'sessions.jsonl');
    const exported = await runCli(['export', '--format', 'sessions', '--out', out], { cwd: s.repoDir });
    expect(exported.code, exported.stderr).toBe(0);
    const records = (await readFile(out, 'utf8')).trim().split('\n').map((line) => SESSION_EXPORT_SCHEMA.parse(JSON.parse(line)));
    expect(records.length).toBe(sessions.length);
    expect(records[0]).toMatchObject({ reward: 8.75, metadata: { trial: 1, outcome: 'kept', delta: -8.75, score: 0.25, parent_score: 9 } });
    expect(records[0]!.messages.slice(0, 4).map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'tool']);
    expect(records[0]!.messages[2]).toEqual({ role: 'assistant', content: null, tool_calls: [{ id: expect.any(String), type: 'function', function: { name: 'read_file', arguments: '{"path":"secrets.txt"}' } }] });
    expect(records[1]).toMatchObject({ reward: null, metadata: { trial: null, outcome: 'no_trial', session_outcome: 'no_proposal' } });
    const kept = await runCli(['export', '--format', 'sessions', '--kept-only', '--min-delta', '1'], { cwd: s.repoDir });
    expect(kept.stdout.trim().split('\n').map((line) => JSON.parse(line).metadata.session)).toEqual([first!.id]);
    const none = await runCli(['export', '--format', 'sessions', '--min-delta', '9'], { cwd: s.repoDir });
    expect(none.stdout.trim()).toBe('');
  }, 300_000);

  it('archives a streaming Anthropic session and a command session', async () => {
    const script = "node -e \"require('fs').writeFileSync('config.json', JSON.stringify({x: 2})+'\\\\n'); console.log('edited, token=" + SECRET + "')\"";
    const s = await studies.open(
      (url) =>
        taskYaml([
          `{ name: claude, kind: llm, surface: recipe, model: "anthropic:claude-sonnet-4-5", base_url: "${url}", api_key_env: ${KEY_ENV}, stream: true }`,
          `{ name: cli, kind: command, surface: recipe, command: ${JSON.stringify(script)}, timeout: 30s }`,
        ]),
      [reply.tool('write_file', { path: 'config.json', content: '{ "x": 4 }\n', overwrite: true }, { text: 'Let me try x = 4.' }), reply.tool('submit', { hypothesis: 'x = 4' })],
    );
    await s.drive(s.specialists('claude', 'cli'), { trials: 2 });
    const sessions = await s.study.store.researchMemory!().listSessions(s.study.record.id);
    const bySpecialist = Object.fromEntries(sessions.map((session) => [session.specialist, session]));
    expect(bySpecialist.claude).toMatchObject({ kind: 'llm', model: 'anthropic:claude-sonnet-4-5', outcome: 'submitted', trialId: expect.any(Number) });
    expect(bySpecialist.claude!.messages[0]).toMatchObject({ role: 'assistant', text: 'Let me try x = 4.', toolCalls: [{ name: 'write_file' }] });
    expect(bySpecialist.cli).toMatchObject({ kind: 'command', outcome: 'submitted', trialId: expect.any(Number) });
    expect(bySpecialist.cli!.firstMessage).toContain("You are 'cli'");
    expect(bySpecialist.cli!.messages[1]).toMatchObject({ role: 'tool', name: 'command', error: false, result: expect.stringContaining('edited, token=[redacted') });
    expect(JSON.stringify(sessions)).not.toContain(SECRET);
  });
});
