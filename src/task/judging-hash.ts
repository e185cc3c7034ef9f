import { createHash } from 'node:crypto';
import type { TaskSpec } from '../core/task.ts';

/** JSON with object keys sorted at every level and undefined values dropped. */
function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
}

/**
 * A sha256 (hex) of the parts of a task that judge trials: objective (and objectives), score, setup,
 * legality command, protected paths, gates, baseline, the run command, limits and
 * acceptance. A study refuses to resume when it changes, because earlier scores would
 * no longer compare with new ones. Budgets, parallelism, GPUs, specialists and surfaces
 * may change freely. Gates count by meaning (metric, operator, value), not spelling.
 *
 * @example
 * if (taskJudgingHash(task) !== study.judgingHash) throw new AutolabError('StudyMismatch', '...');
 */
export function taskJudgingHash(task: TaskSpec): string {
  const judging = {
    version: 1,
    objective: task.objective,
    score: task.score,
    setup: task.setup ?? null,
    legality: task.legality?.command ?? null,
    protected: task.protected,
    gates: task.gates.map((gate) => ({ metric: gate.metric, op: gate.op, value: gate.value })),
    baseline: task.baseline,
    runCommand: task.run.command,
    limits: task.limits,
    acceptance: task.acceptance,
    // What each fidelity level runs judges its scores (the promotion rule does not); absent, old hashes are unchanged.
    ...(task.fidelity ? { fidelity: task.fidelity.levels.map((level) => ({ name: level.name, env: level.env })) } : {}),
    // A continued ladder measures a promoted level from the level below's artifacts: other scores than from scratch.
    ...(task.fidelity?.continueRuns === true ? { fidelityContinue: true } : {}),
    // only in multi-objective studies, so single-objective hashes stay as they were
    ...(task.objectives ? { objectives: task.objectives.map((objective) => ({ metric: objective.metric, direction: objective.direction, margin: objective.margin ?? 0 })) } : {}),
  };
  return createHash('sha256').update(canonicalJson(judging)).digest('hex');
}
