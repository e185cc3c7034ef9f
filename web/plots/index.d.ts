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
}

export interface LearningCurveData {
  series: Array<{ name: string; points: Array<[number, number]> }>;
}

export function scorePlotSvg(data: ScorePlotData, options?: { width?: number; height?: number; log?: boolean; titles?: boolean }): string;
export function timelinePlotSvg(data: TimelineData, options?: { width?: number; titles?: boolean }): string;
export function labelBarsSvg(data: OutcomeBarsData, options?: { width?: number }): string;
export function lineageTreeSvg(data: LineageData, options?: { width?: number; titles?: boolean }): string;
export interface LineageRow {
  id: number;
  indent: number;
  parentRow: LineageRow | null;
  leaves: Array<{ id: number; status: OutcomeStatus }>;
}
export function layoutLineage(data: LineageData): { rows: LineageRow[]; maxIndent: number };
export function learningCurveSvg(data: LearningCurveData, options?: { width?: number; height?: number }): string;
export function esc(text: unknown): string;
export function formatValue(value: number | null | undefined): string;
export function formatDelta(value: number | null | undefined): string;
export function formatDuration(ms: number | null | undefined): string;
export const STATUS_COLORS: Record<OutcomeStatus, string>;
export const LABEL_COLORS: Record<string, string>;
export const INCUMBENT_COLOR: string;
export function outcomeColor(status: string, label: string | null): string;
