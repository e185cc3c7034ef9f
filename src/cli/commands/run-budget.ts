/**
 * The parts of `autolab run` about budgets and resuming: `--more N` (extending a spent
 * trial budget, recorded in the study), the drift warning (and `--strict`), and the
 * "next:" hints of the summary, each a command that works where the user stands.
 */
import type { TrialCounts } from '../../core/trial-counts.ts';
import { applyBudgetExtension, type TrialBudget } from '../../engine/budget-extension.ts';
import { checkDrift, findRecipeDrift } from '../../engine/drift-check.ts';
import type { Study } from '../../engine/open-study.ts';
import { hintCommand, type StudyCommandOptions } from '../context.ts';

/** The trials `--more` adds when the user gives no number after a spent budget (for hints). */
export const SUGGESTED_MORE = 10;

export interface ResumeOptions extends StudyCommandOptions {
  trials?: number;
  more?: number;
  strict?: boolean;
}

/** The budget of this run: the study's trial budget and the trials this invocation may create. */
export interface RunBudget {
  budget: TrialBudget;
  /** `--trials`, or `--more` when the task file sets no trial budget to extend. */
  sessionTrials: number | undefined;
  /** Lines to print under the header (the budget, when extended). */
  notes: string[];
}

/**
 * Applies `--more` (recorded in the study) and every earlier extension to the study's
 * budget. Call once, right after the study is opened.
 */
export async function prepareRunBudget(study: Study, options: ResumeOptions): Promise<RunBudget> {
  const budget = await applyBudgetExtension(study.store, study.record.id, study.task.budget, options.more);
  const notes: string[] = [];
  let sessionTrials = options.trials;
  if (options.more !== undefined && budget.file === undefined) {
    sessionTrials = Math.min(options.trials ?? Infinity, options.more);
    notes.push(`--more ${options.more}: the task file sets no trial budget to extend, so this run creates at most ${options.more} trials`);
  }
  if (budget.extra > 0) notes.push(`budget: ${budget.effective} trials (${budget.file} in the task file + ${budget.extra} from \`run --more\`)`);
  return { budget, sessionTrials, notes };
}

/**
 * On resume: the protected and setup files that differ on disk from the study's
 * baseline. Returns the warning to print (null when none); with `--strict`, throws.
 */
export async function resumeDriftWarning(study: Study, options: ResumeOptions): Promise<string | null> {
  if (study.created || study.record.baselineCommit === null) return null;
  const workspace = await study.workspace();
  const drift = await findRecipeDrift({ task: study.task, gitDir: workspace.gitDir, baselineCommit: workspace.baselineCommit, source: workspace.baselineSource.kind === 'git' ? 'git' : 'folder' });
  return checkDrift(drift, workspace.baselineCommit, { strict: options.strict ?? false, freshCommand: hintCommand(options, 'run', [], ['--fresh']) });
}

/**
 * The "next:" hints after a run: show and export the incumbent, then how to go on:
 * `--more N` when the trial budget is spent, the task file's key when the hours budget
 * is, else a plain resume. Each hint once, in the user's own terms.
 */
export function nextHints(options: ResumeOptions, input: { incumbentId: number; counts: TrialCounts; budget: TrialBudget; stopReason: string; taskFile: string }): string[] {
  const id = String(input.incumbentId);
  const lines = [`${hintCommand(options, 'show', [id])} · ${hintCommand(options, 'export', [id], ['--patch', 'best.patch'])}`];
  const spent = input.budget.effective !== undefined && input.counts.total >= input.budget.effective;
  if (spent) {
    lines.push(`${hintCommand(options, 'run', [], ['--more', String(SUGGESTED_MORE)])} (the budget of ${input.budget.effective} trials is spent: this adds ${SUGGESTED_MORE} to the study's budget)`);
  } else if (/^budget of [\d.]+ hours/.test(input.stopReason)) {
    lines.push(`raise budget.hours in ${input.taskFile} (budgets do not change how trials are judged), then ${hintCommand(options, 'run')} resumes`);
  } else {
    lines.push(`${hintCommand(options, 'run')} (resumes the study)`);
  }
  return lines;
}
