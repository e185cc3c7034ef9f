import { writeFile } from 'node:fs/promises';
import { AutolabError } from '../../core/errors.ts';
import { parseTrialId, withStudy, type StudyCommandOptions } from '../context.ts';
import { improvingEditPairs } from '../../export/edit-pairs.ts';
import { trajectoryRecords } from '../../export/trajectory.ts';
import { writeJsonLines } from '../../export/write-jsonl.ts';
import { sessionExportRecords } from '../../export/session-records.ts';

export interface ExportOptions extends StudyCommandOptions {
  patch?: string;
  branch?: string;
  /** `jsonl`: the whole trajectory; `edits`: improving edit pairs. */
  format?: string;
  /** Where `--format` writes (default: stdout). */
  out?: string;
  /** `--format sessions`: only sessions whose trial was kept. */
  keptOnly?: boolean;
  /** `--format sessions`: only sessions whose trial improved on its parent by at least this much. */
  minDelta?: number;
  /** `--format sessions`: only this specialist's sessions. */
  specialist?: string;
}

const FORMATS = ['jsonl', 'edits', 'sessions'];

/**
 * `autolab export TRIAL --patch FILE | --branch NAME`: hands a trial's diff against the
 * baseline back to the user's repo, only on this explicit request.
 * `autolab export --format jsonl|edits [--out FILE]`: the whole trajectory for audit, or
 * the improving edit pairs as a data set.
 */
export async function exportCommand(id: string | undefined, options: ExportOptions): Promise<number> {
  if (options.format !== undefined) return exportDataset(id, options);
  if (id === undefined) throw new AutolabError('UsageError', 'export needs a trial number (with --patch or --branch) or --format jsonl|edits');
  if ((options.patch === undefined) === (options.branch === undefined)) {
    throw new AutolabError('UsageError', 'export needs exactly one of --patch FILE or --branch NAME');
  }
  return withStudy(options.task ?? '.', options, {}, async (study) => {
    const trial = await study.assertLegalLineage(parseTrialId(id), 'export');
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

async function exportDataset(id: string | undefined, options: ExportOptions): Promise<number> {
  if (!FORMATS.includes(options.format!)) throw new AutolabError('UsageError', `unknown export format '${options.format}'`, { hint: 'use --format jsonl (the whole trajectory), --format edits (improving edit pairs) or --format sessions (agent sessions as chat-format training data)' });
  if (options.format !== 'sessions' && (options.keptOnly || options.minDelta !== undefined || options.specialist !== undefined)) {
    throw new AutolabError('UsageError', '--kept-only, --min-delta and --specialist filter --format sessions only');
  }
  if (id !== undefined || options.patch !== undefined || options.branch !== undefined) {
    throw new AutolabError('UsageError', '--format exports the whole study: drop the trial number, --patch and --branch');
  }
  return withStudy(options.task ?? '.', options, {}, async (study) => {
    let count: number;
    if (options.format === 'jsonl') {
      count = await writeJsonLines(trajectoryRecords(study.store, study.record), options.out);
    } else if (options.format === 'sessions') {
      const sessions = study.store.researchMemory ? await study.store.researchMemory().listSessions(study.record.id) : [];
      const filter = { ...(options.keptOnly ? { keptOnly: true } : {}), ...(options.minDelta !== undefined ? { minDelta: options.minDelta } : {}), ...(options.specialist !== undefined ? { specialist: options.specialist } : {}) };
      count = await writeJsonLines(asAsync(sessionExportRecords(study.name, study.task.objective, sessions, await study.trials(), filter)), options.out);
    } else {
      const workspace = await study.workspace();
      const pairs = improvingEditPairs(study.name, study.task.objective, await study.trials(), (commit, path) => workspace.readFileAt(commit, path));
      count = await writeJsonLines(pairs, options.out);
    }
    if (options.out !== undefined && options.out !== '-') {
      const what = options.format === 'jsonl' ? 'records of the trajectory (study, trials, events)' : options.format === 'sessions' ? 'sessions (chat format, reward = measured improvement)' : 'improving edit pairs';
      process.stdout.write(`wrote ${count} ${what} of study '${study.name}' to ${options.out}\n`);
    }
    return 0;
  });
}

async function* asAsync<T>(items: readonly T[]): AsyncIterable<T> {
  yield* items;
}
