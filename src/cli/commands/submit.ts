import { readFile } from 'node:fs/promises';
import { AutolabError } from '../../core/errors.ts';
import { terminalText } from '../../core/terminal-text.ts';
import { trialToJson } from '../../core/trial.ts';
import { hintCommand, parseTrialId, withStudy, type StudyCommandOptions } from '../context.ts';
import { PATCH_BASE_HINT } from '../../workspace/patch-diagnosis.ts';
import { submitExitCode } from './submit-exit-codes.ts';
import { formatDelta, formatScore, outcomeText, outcomeWithCause, palette, useColor } from '../format.ts';

export interface SubmitOptions extends StudyCommandOptions {
  hypothesis: string;
  parent?: string;
  specialist?: string;
  notes?: string;
  json?: boolean;
}

async function readPatch(file: string): Promise<string> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new AutolabError('UsageError', `cannot read the patch file '${file}': ${(error as Error).message}`, { hint: 'make one with `git diff > my.patch` in the recipe, or pass - to read standard input' });
  }
}

/**
 * `autolab submit [PATH] PATCH --hypothesis TEXT`: evaluate a proposal made outside
 * autolab. The exit code tells the outcome apart (`SUBMIT_EXIT_CODES`): 0 kept, 3
 * discarded, 4 refused before running, 5 ran and failed, 6 spoiled by the machine; 1
 * when no trial could be recorded.
 */
export async function submitCommand(patchFile: string, options: SubmitOptions): Promise<number> {
  const patch = await readPatch(patchFile);
  const kill = new AbortController();
  const onSignal = () => kill.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await withStudy(options.task ?? '.', options, { create: true }, async (study) => {
      const parent = options.parent !== undefined ? parseTrialId(options.parent) : ((await study.incumbent())?.id ?? 0);
      const trial = await study.submit(
        { specialist: options.specialist ?? 'manual', parent, hypothesis: options.hypothesis, edit: { kind: 'patch', patch }, ...(options.notes ? { notes: options.notes } : {}) },
        kill.signal,
      );
      if (options.json) {
        process.stdout.write(JSON.stringify(trialToJson(trial), null, 2) + '\n');
        return submitExitCode(trial);
      }
      const c = palette(useColor(process.stdout));
      const parentTrial = trial.parent === null ? null : await study.store.getTrial(study.record.id, trial.parent);
      const delta = trial.score !== null && parentTrial?.score != null ? trial.score - parentTrial.score : null;
      process.stdout.write(
        trial.status === 'failed'
          ? `trial #${trial.id} ${outcomeWithCause(trial, c, 160)}\n`
          : `trial #${trial.id} ${outcomeText(trial, c)} ${study.task.objective.metric} = ${formatScore(trial.score)} (${formatDelta(delta)} vs parent #${trial.parent})\n`,
      );
      let detail = terminalText(trial.labelDetail ?? '');
      if (trial.label === 'apply_failed') {
        // The recorded advice is generic; here it can be the exact command for the user's folder.
        const dir = `/tmp/autolab-trial-${parent}`;
        detail = detail.replace(PATCH_BASE_HINT, `make the patch against trial #${parent}: \`${hintCommand(options, 'checkout', [String(parent), dir])}\`, edit there, then \`git -C ${dir} diff > my.patch\``);
      }
      if (trial.label) process.stdout.write(`${trial.label}: ${detail}\n`);
      process.stdout.write(c.dim(`details: ${hintCommand(options, 'show', [String(trial.id)])}\n`));
      return submitExitCode(trial);
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
