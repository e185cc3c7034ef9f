/** The report's plots as standalone SVG documents, keyed by their file name. */
import { hypervolumePlotSvg, importanceBarsSvg, paretoPlotSvg, labelBarsSvg, lineageTreeSvg, parallelCoordinatesSvg, scorePlotSvg, sliceGridSvg, timelinePlotSvg } from '../../web/plots/index.js';
import type { ReportData } from './report-data.ts';

export interface ReportPlot {
  file: string;
  title: string;
  svg: string;
}

export function reportPlots(data: ReportData): ReportPlot[] {
  const knobs = data.knobs
    ? [
        { file: 'importance.svg', title: 'Knob importance', svg: importanceBarsSvg(data.knobs.importance, { width: 640 }) },
        { file: 'slices.svg', title: `${data.knobs.objective.metric} against each knob`, svg: sliceGridSvg(data.knobs, { width: 1100 }) },
        { file: 'parallel.svg', title: 'Parallel coordinates of the knobs', svg: parallelCoordinatesSvg(data.knobs, { width: 1100 }) },
      ]
    : [];
  const pareto = data.front?.objectives && data.front.front ? { ...data.front, objectives: data.front.objectives, front: data.front.front } : null;
  const front = pareto
    ? [
        { file: 'front.svg', title: 'The front', svg: paretoPlotSvg(pareto, { width: 760 }) },
        { file: 'hypervolume.svg', title: 'Hypervolume of the front against trial number', svg: hypervolumePlotSvg(pareto, { width: 760 }) },
      ]
    : [];
  return [
    ...front,
    ...knobs,
    { file: 'score.svg', title: 'Score against trial number', svg: scorePlotSvg(data.overview.scorePlot, { titles: true }) },
    { file: 'timeline.svg', title: 'Trials per slot', svg: timelinePlotSvg(data.overview.timeline ?? { spanMs: 0, activeMs: 0, utilisation: null, lanes: [], bars: [], gaps: [] }, { titles: true }) },
    { file: 'outcomes.svg', title: 'Outcomes', svg: labelBarsSvg(data.overview.outcomes, { width: 520 }) },
    { file: 'lineage.svg', title: 'Lineage', svg: lineageTreeSvg(data.lineage, { width: 1100, titles: data.lineage.nodes.length <= 3000 }) },
  ];
}
