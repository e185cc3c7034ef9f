/**
 * The scripted program-search agent of `bench:parents`, answering as the loopback LLM
 * server (src/testing/loopback-llm) over the real wire protocol: each session it reads
 * `program.json` at the parent the engine checked out, moves one coordinate by a random
 * step in [-1.5, 1.5] (seeded), and submits. It never looks at scores: any difference
 * between parent strategies comes from where the engine starts its sessions.
 */
import type { ReplyFunction } from '../src/testing/loopback-llm/loopback-server.ts';
import { reply } from '../src/testing/loopback-llm/scripted-reply.ts';

const PROGRAM = /\{"x":\[[^\]]*\]\}/;

/** The agent, drawing its steps from `random`. */
export function programSearchAgent(random: () => number, maxStep = 1.5): ReplyFunction {
  let pendingHypothesis = 'a random step';
  return (request) => {
    const result = request.lastToolResults[0]?.content;
    if (result === undefined) return reply.tool('read_file', { path: 'program.json' });
    const match = PROGRAM.exec(result);
    if (match) {
      const x = (JSON.parse(match[0]) as { x: number[] }).x;
      const k = Math.floor(random() * x.length);
      const step = Math.round((random() * 2 - 1) * maxStep * 1000) / 1000;
      const next = x.map((value, i) => (i === k ? Math.round((value + step) * 1000) / 1000 : value));
      pendingHypothesis = `x[${k}] ${step >= 0 ? '+' : '-'}= ${Math.abs(step)} (from ${x[k]})`;
      return reply.tool('edit_file', { path: 'program.json', old_text: match[0], new_text: JSON.stringify({ x: next }) });
    }
    return reply.tool('submit', { hypothesis: pendingHypothesis });
  };
}
