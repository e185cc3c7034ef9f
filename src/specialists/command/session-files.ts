/**
 * The files a command specialist's CLI is told about: the lineage feedback (Markdown),
 * its role, a ready-made prompt combining both, and where to write its hypothesis. They
 * live in a temporary folder outside the scratch worktree, so they never count as edits.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderLineageMarkdown } from '../../core/lineage-markdown.ts';
import type { ProposalContext } from '../../core/specialist.ts';
import type { EditPolicy } from '../shared/edit-policy.ts';
import { repairText, type RepairOffer } from '../shared/repair.ts';

export interface SessionFiles {
  dir: string;
  lineageFile: string;
  roleFile: string;
  promptFile: string;
  hypothesisFile: string;
  logFile: string;
  remove(): Promise<void>;
}

/** Writes the session's files; the caller owns `remove()`. */
export async function writeSessionFiles(input: { specialist: string; role: string; context: ProposalContext; policy: EditPolicy; parent: number; repair: RepairOffer | null }): Promise<SessionFiles> {
  const dir = await mkdtemp(join(tmpdir(), 'autolab-command-'));
  const files = {
    dir,
    lineageFile: join(dir, 'lineage.md'),
    roleFile: join(dir, 'role.md'),
    promptFile: join(dir, 'prompt.md'),
    hypothesisFile: join(dir, 'hypothesis.txt'),
    logFile: join(dir, 'command.log'),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
  const { task } = input.context;
  const lineage = renderLineageMarkdown(input.context.lineage);
  const prompt = [
    `You are '${input.specialist}', a specialist in an auto-research study. ${input.role}`,
    '',
    `The current folder is a private copy of the recipe at trial #${input.parent}. Objective: ${task.objective.direction} \`${task.objective.metric}\`${task.gates.length > 0 ? `; gates: ${task.gates.map((gate) => gate.source).join('; ')}` : ''}.`,
    `Make ONE focused change that you expect to improve the objective, editing only: ${input.policy.surface.paths.join(', ')}.${task.protected.length > 0 ? ` Never change: ${task.protected.join(', ')}.` : ''}`,
    'Do not run the full training; an evaluator runs and scores your change after you exit.',
    `When done, write your hypothesis (one line: what you changed and why it should help) to ${files.hypothesisFile}.`,
    ...(input.repair ? ['', repairText(input.repair).replace(/You may repair it:[^]*$/, `Your copy holds the code of #${input.repair.trial.id}; repair that failure (or undo the change that caused it) as your proposal.`)] : []),
    '',
    lineage,
  ].join('\n');
  await Promise.all([writeFile(files.lineageFile, lineage), writeFile(files.roleFile, input.role + '\n'), writeFile(files.promptFile, prompt)]);
  return files;
}

/** The hypothesis the CLI wrote: plain text (first line; the rest are notes) or JSON `{hypothesis, expected_delta, notes}`. */
export async function readHypothesisFile(path: string): Promise<{ hypothesis: string; expectedDelta?: number; notes?: string } | null> {
  const text = (await readFile(path, 'utf8').catch(() => '')).trim();
  if (text === '') return null;
  if (text.startsWith('{')) {
    try {
      const json = JSON.parse(text) as { hypothesis?: unknown; expected_delta?: unknown; notes?: unknown };
      if (typeof json.hypothesis === 'string' && json.hypothesis.trim() !== '') {
        return {
          hypothesis: json.hypothesis.trim(),
          ...(typeof json.expected_delta === 'number' && Number.isFinite(json.expected_delta) ? { expectedDelta: json.expected_delta } : {}),
          ...(typeof json.notes === 'string' && json.notes.trim() !== '' ? { notes: json.notes.trim() } : {}),
        };
      }
    } catch {
      // Not JSON after all: plain text.
    }
  }
  const [first, ...rest] = text.split('\n');
  const notes = rest.join('\n').trim();
  return { hypothesis: first!.trim(), ...(notes ? { notes } : {}) };
}

/** A value as one /bin/sh word: as is when it holds only safe characters (so it also works inside double quotes), else single-quoted. */
export function shellQuote(value: string): string {
  if (/^[A-Za-z0-9_\/.+:=@,-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Replaces `{lineage_file}`-style placeholders with shell-quoted values; unknown ones are left alone. */
export function fillPlaceholders(command: string, values: Record<string, string>): string {
  return command.replace(/\{([a-z_]+)\}/g, (whole, name: string) => (Object.hasOwn(values, name) ? shellQuote(values[name]!) : whole));
}
