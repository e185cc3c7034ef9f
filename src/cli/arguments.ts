/**
 * What the CLI reads from its arguments before any command runs: no study, store or
 * engine import here, so that parsing the command line stays cheap.
 */
import { AutolabError } from '../core/errors.ts';
import type { Invocation } from './invocation.ts';

/** Options every study command accepts. */
export interface StudyCommandOptions {
  task?: string;
  store?: string;
  study?: string;
  /** How the user called the command, for hints that work where they stand (default: from the options). */
  invocation?: Invocation;
}

/** The task path: the positional PATH, else `--task`, else the current folder. */
export function taskPathOf(path: string | undefined, options: StudyCommandOptions): string {
  return path ?? options.task ?? process.env.AUTOLAB_TASK ?? '.';
}

/** Parses a trial id argument (`12`, `#12`). */
export function parseTrialId(text: string): number {
  const id = Number(text.replace(/^#/, ''));
  if (!Number.isInteger(id) || id < 0 || !/^#?\d+$/.test(text)) throw new AutolabError('UsageError', `'${text}' is not a trial number`, { hint: 'trial numbers look like 0 (the baseline), 1, 2, … (`autolab trials` lists them); a PATH comes before the trial number: `autolab show PATH 12`' });
  return id;
}

/** A commander option parser for a positive number; the message names the option. */
export function parsePositiveNumber(name: string) {
  return (text: string): number => {
    const value = Number(text);
    if (!Number.isFinite(value) || value <= 0) throw new AutolabError('UsageError', `${name} expects a positive number, got '${text}'`);
    return value;
  };
}
