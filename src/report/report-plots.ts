/** The report's plots as standalone SVG documents, keyed by their file name. */
import { labelBarsSvg, lineageTreeSvg, scorePlotSvg, timelinePlotSvg } from '../../web/plots/index.js';
import type { ReportData } from './report-data.ts';

export interface ReportPlot {
  file: string;
  title: string;
  svg: string;
}

export function reportPlots(data: ReportData): ReportPlot[] {
  return [
    { file: 'score.svg', title: 'Score against trial number', svg: scorePlotSvg(data.overview.scorePlot, { titles: true }) },
    { file: 'timeline.svg', title: 'Trials per slot', svg: timelinePlotSvg(data.overview.timeline ?? { spanMs: 0, activeMs: 0, utilisation: null, lanes: [], bars: [], gaps: [] }, { titles: true }) },
    { file: 'outcomes.svg', title: 'Outcomes', svg: labelBarsSvg(data.overview.outcomes, { width: 520 }) },
    { file: 'lineage.svg', title: 'Lineage', svg: lineageTreeSvg(data.lineage, { width: 1100, titles: true }) },
  ];
}
