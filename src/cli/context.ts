import { AutolabError } from '../core/errors.ts';
import { openStudy, type OpenStudyOptions, type Study } from '../engine/open-study.ts';

/** Options every study command accepts. */
export interface StudyCommandOptions {
  task?: string;
  store?: string;
  study?: string;
}

/** The task path: the positional PATH, else `--task`, else the current folder. */
export function taskPathOf(path: string | undefined, options: StudyCommandOptions): string {
  return path ?? options.task ?? process.env.AUTOLAB_TASK ?? '.';
}

export async function withStudy<T>(path: string, options: StudyCommandOptions, extra: Omit<OpenStudyOptions, 'store' | 'study'>, work: (study: Study) => Promise<T>): Promise<T> {
  const open: OpenStudyOptions = { ...extra };
  const store = options.store ?? process.env.AUTOLAB_STORE;
  if (store !== undefined) open.store = store;
  if (options.study !== undefined) open.study = options.study;
  const study = await openStudy(path, open);
  try {
    return await work(study);
  } finally {
    await study.close();
  }
}

/** Parses a trial id argument (`12`, `#12`). */
export function parseTrialId(text: string): number {
  const id = Number(text.replace(/^#/, ''));
  if (!Number.isInteger(id) || id < 0) throw new AutolabError('UsageError', `'${text}' is not a trial number`, { hint: 'trial numbers look like 0 (the baseline), 1, 2, … (see `autolab trials`)' });
  return id;
}

export function parsePositiveNumber(name: string) {
  return (text: string): number => {
    const value = Number(text);
    if (!Number.isFinite(value) || value <= 0) throw new AutolabError('UsageError', `${name} expects a positive number, got '${text}'`);
    return value;
  };
}
