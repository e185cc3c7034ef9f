/** The dashboard's plots, as pure functions from data to an SVG string (browser and Node). */
export { scorePlotSvg } from './score-plot.js';
export { timelinePlotSvg } from './timeline-plot.js';
export { labelBarsSvg } from './label-bars.js';
export { lineageTreeSvg, layoutLineage } from './lineage-tree.js';
export { learningCurveSvg } from './learning-curve.js';
export { esc, formatValue, formatDelta, formatDuration } from './svg.js';
export { STATUS_COLORS, LABEL_COLORS, INCUMBENT_COLOR, outcomeColor } from './colors.js';
