/** The dashboard's plots, as pure functions from data to an SVG string (browser and Node). */
export { scorePlotSvg } from './score-plot.js';
export { timelinePlotSvg } from './timeline-plot.js';
export { labelBarsSvg } from './label-bars.js';
export { lineageTreeSvg } from './lineage-tree.js';
export { layoutLineage, COLLAPSE_AT } from './lineage-layout.js';
export { learningCurveSvg } from './learning-curve.js';
export { esc, formatValue, formatDelta, formatDuration } from './svg.js';
export { STATUS_COLORS, LABEL_COLORS, INCUMBENT_COLOR, SIGNATURE_COLORS, outcomeColor, failureGroupColor, rankColor } from './colors.js';
export { sliceGridSvg } from './slice-plot.js';
export { parallelCoordinatesSvg, parallelLayout, brushedTrials, OBJECTIVE_KEY } from './parallel-plot.js';
export { importanceBarsSvg } from './importance-bars.js';
export { knobScale, scoreScale, formatKnobValue } from './knob-axis.js';
export { paretoPlotSvg, hypervolumePlotSvg } from './pareto-plot.js';
