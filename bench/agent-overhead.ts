/**
 * npm run bench:agent — autolab's own overhead per agent proposal: the time an llm
 * specialist's `propose` takes against the loopback LLM server, minus the server's
 * scripted delays. What remains is ours: the scratch worktree, the prompt and lineage,
 * the AI SDK and HTTP round trips on 127.0.0.1, the tools (file reads, grep, an edit),
 * the diff, and the release. The replies are scripted; nothing here is a model's work.
 * Also the session archive: each session's archived size and the time to archive it
 * (the store write `archiveSession` makes after every proposal; recording the messages
 * during the session is inside the overhead above). Ends with one JSON line of figures.
 */
import { cpus } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildProposalContext } from '../src/scheduler/proposal-context.ts';
import { archiveSession } from '../src/scheduler/session-archiving.ts';
import type { LlmSpecialist } from '../src/specialists/llm/llm-specialist.ts';
import { reply, type RecordedRequest, type ScriptedReply } from '../src/testing/loopback-llm/index.ts';
import { openScriptedStudy } from '../src/testing/loopback-llm/scripted-study.ts';
import { percentile } from './lib/stats.ts';

const ROOT = join(import.meta.dirname, '..');
const FIXTURE = join(ROOT, 'test', 'fixtures', 'recipe');
const SESSIONS = Number(process.env.BENCH_AGENT_SESSIONS ?? 30);
const DELAY_MS = Number(process.env.BENCH_AGENT_DELAY_MS ?? 20);


/** One session: lineage, listing, a read, a grep, the leaderboard, an edit, submit (7 model calls, 7 tool calls). */
function sessionScript(index: number): Array<ScriptedReply | ((request: RecordedRequest) => ScriptedReply)> {
  const options = { delayMs: DELAY_MS, usage: { input: 2000, output: 150, cached: 1500 } };
  return [
    reply.tool('read_lineage', {}, options),
    reply.tool('list_files', {}, options),
    reply.tool('read_file', { path: 'train.js' }, options),
    reply.tool('grep', { pattern: 'config' }, options),
    reply.tool('leaderboard', {}, options),
    reply.tool('write_file', { path: 'config.json', content: `{ "x": ${(index % 50) / 10} }\n`, overwrite: true }, options),
    reply.tool('submit', { hypothesis: `x = ${(index % 50) / 10}`, expected_delta: -1 }, options),
  ];
}

async function measure(format: 'openai-compatible' | 'anthropic', stream: boolean) {
  const model = format === 'anthropic' ? 'anthropic:claude-sonnet-4-5' : 'openai-compatible:bench';
  process.env.AUTOLAB_BENCH_KEY = 'bench';
  const s = await openScriptedStudy(FIXTURE, (url) =>
    [
      'name: bench',
      'setup: node prepare.js',
      'objective: { metric: loss, direction: minimize }',
      'preflight: { command: node --check train.js, timeout: 10s }',
      'run: { command: node train.js, timeout: 5s }',
      'score: { command: node score.js, timeout: 5s }',
      'protected: [score.js, prepare.js, autolab.yaml]',
      'surfaces: { recipe: { paths: [config.json, train.js, lib/] } }',
      `specialists: [{ name: agent, kind: llm, surface: recipe, role: optimizer, model: "${model}", base_url: "${url}", api_key_env: AUTOLAB_BENCH_KEY, stream: ${stream} }]`,
      'prices: { "openai-compatible:bench": { input: 1, output: 2, cached: 0.1 } }',
    ].join('\n'),
  );
  try {
    const specialist = s.specialists('agent')[0] as LlmSpecialist;
    const overheads: number[] = [];
    const gaps: number[] = [];
    const worktrees: number[] = [];
    const steps: number[] = [];
    const toolCalls: number[] = [];
    const archiveMs: number[] = [];
    const archiveBytes: number[] = [];
    const archive = s.study.store.researchMemory!();
    for (let index = 0; index < SESSIONS; index++) {
      s.llm.setScript(sessionScript(index));
      const context = await buildProposalContext(s.runtime, specialist, { signal: new AbortController().signal });
      const delayBefore = s.llm.scriptedDelayMs;
      const firstRequest = s.llm.requests.length;
      const started = performance.now();
      const proposal = await specialist.propose(context);
      const wall = performance.now() - started;
      const report = specialist.takeSessionReport()!;
      if (!proposal || report.outcome !== 'submitted') throw new Error(`session ${index} did not submit: ${report?.reason}`);
      overheads.push(wall - (s.llm.scriptedDelayMs - delayBefore));
      const archiving = performance.now();
      const sessionId = await archiveSession(s.runtime, 'agent', report);
      archiveMs.push(performance.now() - archiving);
      if (sessionId === null) throw new Error(`session ${index} was not archived`);
      archiveBytes.push((await archive.getSession(s.runtime.studyId, sessionId))!.bytes);
      // Between one request and the next: the reply's delay, then our parsing, the tool and the next request.
      const requests = s.llm.requests.slice(firstRequest);
      for (let step = 1; step < requests.length; step++) gaps.push(requests[step]!.at - requests[step - 1]!.at - DELAY_MS);
      const t0 = performance.now();
      const scratch = await context.workspace.createScratch(0);
      await scratch.diff();
      await scratch.release();
      worktrees.push(performance.now() - t0);
      steps.push(report.steps);
      toolCalls.push(report.toolCalls);
    }
    return {
      sessions: SESSIONS,
      overhead_p50_ms: Math.round(percentile(overheads, 0.5)),
      overhead_p95_ms: Math.round(percentile(overheads, 0.95)),
      step_gap_p50_ms: Number(percentile(gaps, 0.5).toFixed(1)),
      scratch_worktree_p50_ms: Math.round(percentile(worktrees, 0.5)),
      model_calls_per_session: percentile(steps, 0.5),
      tool_calls_per_session: percentile(toolCalls, 0.5),
      archive_bytes_per_session_p50: percentile(archiveBytes, 0.5),
      archive_bytes_per_session_max: Math.max(...archiveBytes),
      archive_write_p50_ms: Number(percentile(archiveMs, 0.5).toFixed(2)),
      archive_write_p95_ms: Number(percentile(archiveMs, 0.95).toFixed(2)),
    };
  } finally {
    await s.close();
  }
}

console.log(`bench:agent on ${process.platform} ${process.arch}, ${cpus().length} cores, node ${process.version}; ${SESSIONS} scripted sessions per wire format, ${DELAY_MS} ms scripted delay per reply (subtracted)`);
const openai = await measure('openai-compatible', false);
console.log(`openai-compatible (JSON): overhead per proposal p50 ${openai.overhead_p50_ms} ms, p95 ${openai.overhead_p95_ms} ms; ${openai.model_calls_per_session} model calls and ${openai.tool_calls_per_session} tool calls per session; per step p50 ${openai.step_gap_p50_ms} ms; scratch worktree create+diff+release p50 ${openai.scratch_worktree_p50_ms} ms; archive ${(openai.archive_bytes_per_session_p50 / 1024).toFixed(1)} KiB per session, written in p50 ${openai.archive_write_p50_ms} ms (p95 ${openai.archive_write_p95_ms} ms)`);
const anthropic = await measure('anthropic', true);
console.log(`anthropic (streaming): overhead per proposal p50 ${anthropic.overhead_p50_ms} ms, p95 ${anthropic.overhead_p95_ms} ms; ${anthropic.model_calls_per_session} model calls and ${anthropic.tool_calls_per_session} tool calls per session; per step p50 ${anthropic.step_gap_p50_ms} ms; scratch worktree create+diff+release p50 ${anthropic.scratch_worktree_p50_ms} ms; archive ${(anthropic.archive_bytes_per_session_p50 / 1024).toFixed(1)} KiB per session, written in p50 ${anthropic.archive_write_p50_ms} ms (p95 ${anthropic.archive_write_p95_ms} ms)`);
console.log(JSON.stringify({ bench: 'agent', delay_ms_subtracted: DELAY_MS, openai_compatible_json: openai, anthropic_streaming: anthropic }));
