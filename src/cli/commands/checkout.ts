import { relative } from 'node:path';
import { AutolabError } from '../../core/errors.ts';
import { checkoutTrial } from '../../workspace/checkout-trial.ts';
import { shellWord } from '../invocation.ts';
import { hintCommand, parseTrialId, withStudy, type StudyCommandOptions } from '../context.ts';

/**
 * `autolab checkout [PATH] TRIAL DIR`: writes a trial's files into DIR (a new git
 * repository at that trial) to edit by hand; `git diff` there is a patch that
 * `autolab submit ... --parent TRIAL` takes.
 */
export async function checkoutCommand(id: string, dir: string, options: StudyCommandOptions & { path: string }): Promise<number> {
  return withStudy(options.path, options, {}, async (study) => {
    const trial = await study.trial(parseTrialId(id));
    if (!trial.commit) {
      throw new AutolabError('NotFound', `trial #${trial.id} has no commit (${trial.label ?? trial.status}): it has no files to check out`, {
        hint: trial.parent !== null ? `check out its parent instead: \`${hintCommand(options, 'checkout', [String(trial.parent), dir])}\`` : undefined,
      });
    }
    const workspace = await study.workspace();
    const done = await checkoutTrial(workspace.gitDir, trial.commit, trial.id, dir);
    const shown = relative(process.cwd(), done.dir);
    const folder = shellWord(shown === '' ? '.' : shown.startsWith('..') ? done.dir : shown);
    process.stdout.write(`wrote the files of trial #${trial.id} (commit ${done.commit.slice(0, 12)}) into ${done.dir}: a git repository on branch ${done.branch}, its log the trial's lineage\n`);
    process.stdout.write(`next: edit the files there, then\n`);
    process.stdout.write(`  git -C ${folder} diff > my.patch\n`);
    process.stdout.write(`  ${hintCommand(options, 'submit', ['my.patch'], ['--parent', String(trial.id), '--hypothesis', 'what the edit should do, and why'])}\n`);
    return 0;
  });
}
