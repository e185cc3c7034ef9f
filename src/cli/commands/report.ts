import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { withStudy, type StudyCommandOptions } from '../context.ts';
import { writeStudyReport } from '../../report/write-report.ts';

export interface ReportOptions extends StudyCommandOptions {
  out?: string;
}

/**
 * `autolab report [PATH] [--out DIR]`: a study's report to share: one self-contained
 * `report.html` and a `report.md` with its plots as SVG files beside it.
 */
export async function reportCommand(path: string, options: ReportOptions): Promise<number> {
  return withStudy(path, options, {}, async (study) => {
    const outDir = resolve(options.out ?? `${study.name.replace(/[^A-Za-z0-9_.-]+/g, '_')}-report`);
    const written = await writeStudyReport({
      store: study.store,
      study: study.record,
      objective: study.task.objective,
      ...(study.task.objectives ? { objectives: study.task.objectives } : {}),
      ...(study.task.preference ? { preference: study.task.preference } : {}),
      outDir,
      ...(study.task.fidelity ? { fidelity: study.task.fidelity } : {}),
      // From the store alone (another host), the private repository may be out of reach: the report goes without the patch and file views.
      incumbentPatch: async (incumbent) => {
        if (!incumbent.commit) return null;
        const workspace = existsSync(study.paths.state) ? await study.workspace().catch(() => null) : null;
        return workspace === null ? null : (await workspace.exportPatch(incumbent.commit)).patch;
      },
      files: async (requests, known) => {
        const workspace = existsSync(study.paths.state) ? await study.workspace().catch(() => null) : null;
        return workspace === null ? requests.map(() => null) : workspace.readFilesAt(requests, known);
      },
    });
    process.stdout.write(`wrote the report of study '${study.name}':\n  ${written.html}  (one self-contained file)\n  ${written.markdown}  (with ${written.plots.length} SVG plots beside it)\n`);
    return 0;
  });
}
