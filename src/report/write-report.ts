/**
 * `autolab report`: writes a study's report into a folder: `report.html` (one
 * self-contained file), `report.md` and the SVG plots it shows.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Store } from '../core/store.ts';
import type { StudyRecord } from '../core/study.ts';
import type { TrialRecord } from '../core/trial.ts';
import type { Objective, ParetoObjective, ParetoPreference } from '../core/task.ts';
import type { FilesAtCommits } from '../views/trial-knob-values.ts';
import type { FunnelLadder } from '../views/fidelity-funnel.ts';
import { gatherReportData } from './report-data.ts';
import { reportPlots } from './report-plots.ts';
import { renderReportHtml } from './render-html.ts';
import { renderReportMarkdown } from './render-markdown.ts';

export interface WriteReportOptions {
  store: Store;
  study: StudyRecord;
  objective: Objective;
  /** A multi-objective study's objectives and preference: the report shows the front. */
  objectives?: ParetoObjective[];
  preference?: ParetoPreference;
  /** The folder to write into (created when absent). */
  outDir: string;
  incumbentPatch?: (incumbent: TrialRecord) => Promise<string | null>;
  /** Reads files at trials' commits (for knob values); see `Workspace.readFilesAt`. */
  files?: FilesAtCommits;
  /** The task's fidelity ladder, when it has one (the report shows its funnel). */
  fidelity?: FunnelLadder;
}

export interface WrittenReport {
  html: string;
  markdown: string;
  plots: string[];
}

/**
 * @example
 * const written = await writeStudyReport({ store, study, objective, outDir: 'report' });
 * console.log(written.html);   // report/report.html
 */
export async function writeStudyReport(options: WriteReportOptions): Promise<WrittenReport> {
  const data = await gatherReportData(options.store, options.study, {
    objective: options.objective,
    ...(options.objectives ? { objectives: options.objectives } : {}),
    ...(options.preference ? { preference: options.preference } : {}),
    ...(options.incumbentPatch ? { incumbentPatch: options.incumbentPatch } : {}),
    ...(options.files ? { files: options.files } : {}),
    ...(options.fidelity ? { fidelity: options.fidelity } : {}),
  });
  const plots = reportPlots(data);
  await mkdir(options.outDir, { recursive: true });
  const written: WrittenReport = { html: join(options.outDir, 'report.html'), markdown: join(options.outDir, 'report.md'), plots: [] };
  for (const plot of plots) {
    const file = join(options.outDir, plot.file);
    await writeFile(file, plot.svg + '\n');
    written.plots.push(file);
  }
  await writeFile(written.html, renderReportHtml(data, plots));
  await writeFile(written.markdown, renderReportMarkdown(data, plots));
  return written;
}
