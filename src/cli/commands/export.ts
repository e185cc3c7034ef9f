import { writeFile } from 'node:fs/promises';
import { AutolabError } from '../../core/errors.ts';
import { parseTrialId, withStudy, type StudyCommandOptions } from '../context.ts';

export interface ExportOptions extends StudyCommandOptions {
  patch?: string;
  branch?: string;
}

/**
 * `autolab export TRIAL --patch FILE | --branch NAME`: hands a trial's diff against the
 * baseline back to the user's repo, only on this explicit request.
 */
export async function exportCommand(id: string, options: ExportOptions): Promise<number> {
  if ((options.patch === undefined) === (options.branch === undefined)) {
    throw new AutolabError('UsageError', 'export needs exactly one of --patch FILE or --branch NAME');
  }
  return withStudy(options.task ?? '.', options, {}, async (study) => {
    const trial = await study.trial(parseTrialId(id));
    if (!trial.commit) throw new AutolabError('NotFound', `trial #${trial.id} has no commit (${trial.label ?? trial.status}): there is nothing to export`);
    const workspace = await study.workspace();
    if (options.patch !== undefined) {
      const { patch, applyHint } = await workspace.exportPatch(trial.commit);
      if (options.patch === '-') process.stdout.write(patch);
      else {
        await writeFile(options.patch, patch);
        process.stdout.write(`wrote the diff of trial #${trial.id} against the baseline to ${options.patch} (${patch.length} bytes)\napply it with: ${applyHint}\n`);
      }
      return 0;
    }
    const { branch, commit } = await workspace.exportBranch(trial.commit, options.branch!, `autolab trial #${trial.id}: ${trial.hypothesis}`);
    process.stdout.write(`created branch ${branch} (${commit.slice(0, 12)}) in ${study.task.repo}: the baseline plus trial #${trial.id}; your working copy is untouched\n`);
    return 0;
  });
}
