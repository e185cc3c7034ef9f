import type { GateOperator, GateSpec } from './task.ts';
import type { Metrics } from './trial.ts';

const GATE_PATTERN = /^\s*([A-Za-z_][A-Za-z0-9_.]*)\s*(<=|>=|==|!=|<|>)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$/;

/**
 * Parses a gate such as `artifact_bytes <= 16e6`. Returns null when it is not one.
 *
 * @example parseGate('accuracy >= 0.96') // { metric: 'accuracy', op: '>=', value: 0.96, source: 'accuracy >= 0.96' }
 */
export function parseGate(source: string): GateSpec | null {
  const match = GATE_PATTERN.exec(source);
  if (!match) return null;
  return { metric: match[1]!, op: match[2] as GateOperator, value: Number(match[3]), source: source.trim() };
}

export interface GateResult {
  gate: GateSpec;
  /** The metric's value, or undefined when the metric is missing. */
  actual: number | undefined;
  passed: boolean;
  /** How far the value is on the wrong side (0 when passed or missing). */
  missBy: number;
}

function compare(actual: number, op: GateOperator, value: number): boolean {
  switch (op) {
    case '<=': return actual <= value;
    case '<': return actual < value;
    case '>=': return actual >= value;
    case '>': return actual > value;
    case '==': return actual === value;
    case '!=': return actual !== value;
  }
}

export function evaluateGates(gates: readonly GateSpec[], metrics: Metrics): GateResult[] {
  return gates.map((gate) => {
    const actual = metrics[gate.metric];
    if (actual === undefined || !Number.isFinite(actual)) return { gate, actual, passed: false, missBy: 0 };
    const passed = compare(actual, gate.op, gate.value);
    return { gate, actual, passed, missBy: passed ? 0 : Math.abs(actual - gate.value) };
  });
}

/** `artifact_bytes = 70123, gate <= 65536 (missed by 4587, 7.0%)` */
export function describeGateMiss(result: GateResult): string {
  if (result.actual === undefined) return `${result.gate.metric} is missing (gate ${result.gate.source})`;
  const relative = result.gate.value !== 0 ? ` ${((100 * result.missBy) / Math.abs(result.gate.value)).toFixed(1)}%` : '';
  return `${result.gate.metric} = ${formatNumber(result.actual)}, gate ${result.gate.op} ${formatNumber(result.gate.value)} (missed by ${formatNumber(result.missBy)}${relative ? ',' + relative : ''})`;
}

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e6)) return value.toExponential(3);
  return Number(value.toPrecision(6)).toString();
}
