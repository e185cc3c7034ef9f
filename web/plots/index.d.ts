/**
 * Types of the plot modules (plain ES modules shared by the browser and Node).
 * The data shapes are the ones the dashboard API returns; see src/views/.
 */
export type OutcomeStatus = 'pending' | 'running' | 'kept' | 'discarded' | 'failed';

export interface ScorePlotData {
  metric: string;
  direction: 'minimize' | 'maximize';
  baseline: number | null;
  maxId: number;
  /** [trial id, score, status]. */
  points: Array<[number, number, 'kept' | 'discarded']>;
  /** [trial id, failure label]. */
  failed: Array<[number, string]>;
  running: number[];
  /** Kept trials [id, score]: the incumbent's steps. */
  incumbent: Array<[number, number]>;
  /** Discarded points the server left out of a large study (each stretch of ids keeps its lowest and highest). */
  thinned?: number;
  /** [label, failed trials] over every failure, when the server thinned `failed` (one cross per label per stretch of ids). */
  failedCounts?: Array<[string, number]>;
  /** Failures the server left out of `failed` (each still has a cross of its label within a pixel of it). */
  thinnedFailures?: number;
}

export interface TimelineData {
  spanMs: number;
  activeMs: number;
  utilisation: number | null;
  lanes: Array<{ name: string; utilisation: number | null }>;
  /** [trial id, lane, start ms, end ms, status, label]. */
  bars: Array<[number, number, number, number, OutcomeStatus, string | null]>;
  /** [position ms on the compressed axis, idle ms cut out]. */
  gaps: Array<[number, number]>;
}

export interface OutcomeBarsData {
  total: number;
  rows: Array<{ key: string; kind: 'status' | 'label'; count: number }>;
}

export interface LineageData {
  /** [id, parent, status, score, label, specialist]. */
  nodes: Array<[number, number | null, OutcomeStatus, number | null, string | null, string]>;
  incumbent: number | null;
  chain: number[];
  direction?: 'minimize' | 'maximize';
  /** [id, hypothesis cut to a line]: every trial's in a small study, the chain's in a large one. */
  hypotheses?: Array<[number, string]>;
  /** Trials in the study (a pruned tree sends fewer nodes: src/views/lineage-prune.ts). */
  total?: number;
  /** [outcome key (status or `failed:LABEL`), trials] over every trial, sent or not. */
  outcomes?: Array<[string, number]>;
  /** For each node sent with trials beneath it left out: what was left out. */
  hidden?: LineageHidden[];
}

/** The trials left out beneath one node of a pruned lineage tree. */
export interface LineageHidden {
  id: number;
  count: number;
  kept: number;
  discarded: number;
  failed: number;
  running: number;
  /** [id, score] of the best scored trial left out. */
  best: [number, number] | null;
  /** [outcome key, trials]. */
  byOutcome: Array<[string, number]>;
}

export interface LearningCurveData {
  series: Array<{ name: string; points: Array<[number, number]> }>;
}

export interface KnobPlotAxis {
  name: string;
  surface: string;
  type: 'float' | 'int' | 'categorical';
  log: boolean;
  low: number | null;
  high: number | null;
  choices: Array<string | number | boolean> | null;
}

export interface ImportanceData {
  method: string;
  trees: number;
  trials: number;
  explained: number;
  rows: Array<{ knob: string; fraction: number; std: number; share: number }>;
}

/** The knobs API: what slice plots and parallel coordinates are drawn from. */
export interface KnobPlotData {
  objective: { metric: string; direction: 'minimize' | 'maximize' };
  knobs: KnobPlotAxis[];
  /** [trial id, status, score, failure group index (-1: none), value per knob]. */
  points: Array<[number, 'kept' | 'discarded' | 'failed', number | null, number, Array<string | number | boolean | null>]>;
  groups: Array<{ kind: 'signature' | 'label'; key: string; label: string; summary: string; count: number }>;
  baseline: number | null;
  incumbent: number | null;
  importance?: ImportanceData | { unavailable: string };
}

export type ParallelBrush = { min: number; max: number } | { values: Array<string | number | boolean> };

export function sliceGridSvg(data: KnobPlotData, options?: { width?: number; columns?: number; cellHeight?: number; titles?: boolean; knobs?: string[] }): string;
export function parallelCoordinatesSvg(data: KnobPlotData, options?: { width?: number; height?: number; brushes?: Record<string, ParallelBrush> }): string;
export function parallelLayout(data: KnobPlotData, options?: { width?: number; height?: number }): { width: number; height: number; top: number; bottom: number; axes: Array<{ key: string; name: string; index: number; x: number; kind: string }> };
export function brushedTrials(data: KnobPlotData, brushes: Record<string, ParallelBrush>): number[];
export const OBJECTIVE_KEY: string;
export function importanceBarsSvg(importance: ImportanceData | { unavailable: string } | null | undefined, options?: { width?: number }): string;
export interface KnobScale {
  kind: 'numeric' | 'categorical';
  log: boolean;
  at(value: string | number | boolean | null | undefined): number | null;
  invert(px: number): string | number | boolean;
  ticks: Array<{ value: string | number | boolean; label: string; px: number | null }>;
  choices: Array<string | number | boolean> | null;
  band?: number;
}
export function knobScale(axis: KnobPlotAxis, values: Array<string | number | boolean | null>, p0: number, p1: number): KnobScale;
export function formatKnobValue(value: string | number | boolean | null | undefined): string;
export const SIGNATURE_COLORS: string[];
export function failureGroupColor(group: { kind: string; key: string } | undefined, index: number): string;
export function rankColor(rank: number): string;

export function scorePlotSvg(data: ScorePlotData, options?: { width?: number; height?: number; log?: boolean; titles?: boolean }): string;
export function timelinePlotSvg(data: TimelineData, options?: { width?: number; titles?: boolean }): string;
export function labelBarsSvg(data: OutcomeBarsData, options?: { width?: number }): string;
export function lineageTreeSvg(data: LineageData, options?: { width?: number; titles?: boolean; collapse?: boolean; expanded?: Iterable<string | number> }): string;
export interface LineageRow {
  kind: 'node' | 'branch' | 'branches' | 'fold' | 'more';
  id: number;
  indent: number;
  parentRow: LineageRow | null;
  /** node rows: the childless children shown on the row. */
  leaves?: Array<{ id: number; status: OutcomeStatus }>;
  /** fold rows: the chain steps folded. */
  steps?: Array<{ id: number }>;
  /** branch and fold rows: what they hold. */
  summary?: { count: number; kept: number; discarded: number; failed: number; running: number; best: [number, number] | null };
}
export const COLLAPSE_AT: number;
export function layoutLineage(data: LineageData, options?: { collapse?: boolean; expanded?: Iterable<string | number> }): { rows: LineageRow[]; maxIndent: number; collapsed: boolean };
export function learningCurveSvg(data: LearningCurveData, options?: { width?: number; height?: number }): string;
export function esc(text: unknown): string;
export function formatValue(value: number | null | undefined): string;
export function formatDelta(value: number | null | undefined): string;
export function formatDuration(ms: number | null | undefined): string;
export const STATUS_COLORS: Record<OutcomeStatus, string>;
export const LABEL_COLORS: Record<string, string>;
export const INCUMBENT_COLOR: string;
export function outcomeColor(status: string, label: string | null): string;

/** The front API's answer (src/views/pareto-page-view.ts), as the front plots read it. */
export interface ParetoPlotData {
  objectives: Array<{ metric: string; direction: 'minimize' | 'maximize'; reference?: number }>;
  points: Array<{ id: number; values: number[]; status: 'kept' | 'discarded'; member: boolean }>;
  front: {
    recommended: number | null;
    reference: Record<string, number>;
    hypervolume: number;
    hypervolumeOverTime: Array<{ trial: number; hypervolume: number }>;
  };
}
export function paretoPlotSvg(data: ParetoPlotData, options?: { width?: number; height?: number; x?: number; y?: number }): string;
export function hypervolumePlotSvg(data: ParetoPlotData, options?: { width?: number; height?: number }): string;
