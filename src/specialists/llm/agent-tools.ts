/**
 * The tools of an llm specialist, scoped to its session's scratch worktree. Arguments
 * are validated with zod by the AI SDK (invalid ones go back to the model as an error
 * result); a tool that cannot do what was asked throws a `ToolFailure` whose message
 * goes back to the model as the error result. In the control arm (`--no-lineage`) the
 * tools that would reveal the lineage are not offered.
 */
import { tool, type ToolSet } from 'ai';
import { z } from 'zod';
import { renderLineageMarkdown } from '../../core/lineage-markdown.ts';
import type { ProposalContext } from '../../core/specialist.ts';
import type { AgentWorkspace } from './agent-workspace.ts';
import type { EditPolicy } from '../shared/edit-policy.ts';
import { listLibrary, readLibraryNote } from './knowledge.ts';
import { editFile, grepFiles, listFiles, readLines, ToolFailure, writeNewFile } from './recipe-files.ts';
import { leaderboardText, showTrial } from './trial-view.ts';

const MAX_PREFLIGHT_OUTPUT = 4_000;

export interface ToolCounters {
  calls: number;
  failures: number;
  /** Edits refused because of the surface or protected paths. */
  refusals: number;
}

export interface AgentToolsInput {
  context: ProposalContext;
  session: AgentWorkspace;
  policy: EditPolicy;
  library?: string;
  counters: ToolCounters;
}

/** Counts calls and failures; a thrown error becomes the tool's error result. */
function counted<A, R>(counters: ToolCounters, run: (args: A) => Promise<R>): (args: A) => Promise<R> {
  return async (args) => {
    counters.calls++;
    try {
      return await run(args);
    } catch (error) {
      counters.failures++;
      if (error instanceof ToolFailure && error.message.startsWith('refused:')) counters.refusals++;
      throw asToolFailure(error);
    }
  };
}

/** Turns a raw runtime error (a folder read as a file, a bad path) into a message the model can act on. */
export function asToolFailure(error: unknown): ToolFailure {
  if (error instanceof ToolFailure) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const path = (error as NodeJS.ErrnoException | undefined)?.path;
  const where = typeof path === 'string' ? ` (${path.split('/').slice(-3).join('/')})` : '';
  switch (code) {
    case 'EISDIR':
      return new ToolFailure(`that path is a folder, not a file${where}; list_files shows what it holds`);
    case 'ENOTDIR':
      return new ToolFailure(`a part of that path is a file, not a folder${where}`);
    case 'ENOENT':
      return new ToolFailure(`no such file or folder${where}; list_files shows the recipe's files`);
    case 'ENAMETOOLONG':
      return new ToolFailure('that path is too long; use a path of the recipe as list_files shows it');
    case 'EACCES':
    case 'EPERM':
      return new ToolFailure(`permission denied${where}`);
    case 'ERR_INVALID_ARG_VALUE':
    case 'ERR_INVALID_ARG_TYPE':
      return new ToolFailure('that path is not valid (it may contain a NUL byte); use a path of the recipe as list_files shows it');
    default:
      return new ToolFailure(`the tool failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The tool set of one session. */
export function agentTools(input: AgentToolsInput): ToolSet {
  return {
    ...fileTools(input),
    ...evaluationTools(input),
    submit: submitTool(input),
    ...(input.context.lineage.controlArm ? {} : historyTools(input)),
    ...(input.library !== undefined ? libraryTools(input.library, input.counters) : {}),
  };
}

/** Reading the recipe and editing the surface of the scratch copy. */
function fileTools(input: AgentToolsInput): ToolSet {
  const { session, policy, counters } = input;
  return {
    list_files: tool({
      description: `List the recipe's files (or those under a folder) with their sizes; editable ones are marked (${policy.describe()}).`,
      inputSchema: z.object({ path: z.string().optional().describe('A folder or file relative to the recipe root; default the whole recipe.') }),
      execute: counted(counters, async ({ path }) => listFiles(session.dir, policy, path ?? '')),
    }),
    read_file: tool({
      description: 'Read a file of your scratch copy, with line numbers. Long files come in pieces of up to 400 lines: use start_line/end_line.',
      inputSchema: z.object({
        path: z.string().describe('Path relative to the recipe root.'),
        start_line: z.number().int().min(1).optional().describe('First line (1-based).'),
        end_line: z.number().int().min(1).optional().describe('Last line (inclusive).'),
      }),
      execute: counted(counters, async ({ path, start_line, end_line }) => readLines(session.dir, path, start_line, end_line)),
    }),
    grep: tool({
      description: 'Search the recipe for lines containing a text (or matching a regular expression with regex: true). Returns path:line: text.',
      inputSchema: z.object({
        pattern: z.string().describe('The text to look for.'),
        regex: z.boolean().optional().describe('Treat pattern as a JavaScript regular expression.'),
        path: z.string().optional().describe('Only under this folder.'),
        glob: z.string().optional().describe('Only files matching this glob, e.g. *.py'),
      }),
      execute: counted(counters, async ({ pattern, regex, path, glob }) =>
        grepFiles(session.dir, pattern, { ...(regex !== undefined ? { regex } : {}), ...(path !== undefined ? { path } : {}), ...(glob !== undefined ? { glob } : {}) }),
      ),
    }),
    edit_file: tool({
      description: 'Replace an exact piece of text in a file of your surface. old_text must occur exactly once (copy it from read_file without the line numbers, whitespace included) unless replace_all is true.',
      inputSchema: z.object({
        path: z.string(),
        old_text: z.string().describe('The exact text to replace.'),
        new_text: z.string().describe('What replaces it.'),
        replace_all: z.boolean().optional().describe('Replace every occurrence.'),
      }),
      execute: counted(counters, async ({ path, old_text, new_text, replace_all }) => editFile(session.dir, policy, path, old_text, new_text, replace_all ?? false)),
    }),
    write_file: tool({
      description: 'Create a new file in your surface (overwrite: true replaces an existing file whole; prefer edit_file for changes).',
      inputSchema: z.object({ path: z.string(), content: z.string(), overwrite: z.boolean().optional() }),
      execute: counted(counters, async ({ path, content, overwrite }) => writeNewFile(session.dir, policy, path, content, overwrite ?? false)),
    }),
  };
}

/** The lineage feedback and the task's preflight on the scratch copy. */
function evaluationTools(input: AgentToolsInput): ToolSet {
  const { context, session, counters } = input;
  const controlArm = context.lineage.controlArm;
  return {
    read_lineage: tool({
      description: controlArm
        ? 'The incumbent and its score (this study runs without lineage feedback).'
        : 'The lineage feedback: incumbent, path from the baseline, leaderboard, recent trials of every specialist with failures excerpted, and your own recent streak.',
      inputSchema: z.object({}),
      execute: counted(counters, async () => renderLineageMarkdown(context.lineage)),
    }),
    run_preflight: tool({
      description: "Run the task's preflight check (e.g. a syntax check or smoke run) on your scratch copy as it is now. Cheap; use it before submit.",
      inputSchema: z.object({}),
      execute: counted(counters, async () => {
        const result = await session.scratch.runPreflight(context.signal);
        const output = result.output.length > MAX_PREFLIGHT_OUTPUT ? '…' + result.output.slice(-MAX_PREFLIGHT_OUTPUT) : result.output;
        return `${result.ok ? 'preflight passed' : 'preflight FAILED'}\n${output}`.trim();
      }),
    }),
  };
}

/** Submits the scratch copy's edits as the session's one proposal. */
function submitTool(input: AgentToolsInput): ToolSet[string] {
  const { session, policy, counters } = input;
  return tool({
    description: 'Submit your edits as one proposal and end the session. The edit is everything you changed in your scratch copy.',
    inputSchema: z.object({
      hypothesis: z.string().min(1).describe('What the change is and why it should move the objective.'),
      expected_delta: z.number().optional().describe('Expected change of the objective versus the parent (negative when lower is better and you expect a drop).'),
      notes: z.string().optional().describe('Anything the next specialist should know.'),
      parent: z.number().int().min(0).optional().describe('The trial your edits build on; it must be the one your scratch copy is at (use rebase to move).'),
    }),
    execute: counted(counters, async ({ hypothesis, expected_delta, notes, parent }) => {
      if (session.submission) throw new ToolFailure('already submitted; the session is over');
      if (parent !== undefined && parent !== session.parent) {
        throw new ToolFailure(`your edits are against trial #${session.parent}, not #${parent}; call rebase with trial ${parent} (keep_edits: true carries your edits over) and submit again`);
      }
      const patch = await session.scratch.diff();
      if (patch.trim() === '') throw new ToolFailure(`nothing to submit: your scratch copy has no changes against trial #${session.parent}; edit files first`);
      for (const path of await session.scratch.changedPaths()) {
        const verdict = policy.check(path);
        if (!verdict.ok) throw new ToolFailure(`refused: ${verdict.reason}; undo that change first`);
      }
      session.submission = {
        parent: session.parent,
        hypothesis: hypothesis.trim(),
        patch,
        ...(expected_delta !== undefined ? { expectedDelta: expected_delta } : {}),
        ...(notes !== undefined && notes.trim() !== '' ? { notes: notes.trim() } : {}),
      };
      return `submitted as a proposal on trial #${session.parent}; the session ends here`;
    }),
  });
}

/** The leaderboard, any trial in full, and moving the scratch copy to another trial (not for the control arm). */
function historyTools(input: AgentToolsInput): ToolSet {
  const { context, session, counters } = input;
  return {
    leaderboard: tool({
      description: 'The kept trials, best first, with their scores and hypotheses.',
      inputSchema: z.object({}),
      execute: counted(counters, async () => leaderboardText(context.lineage)),
    }),
    show_trial: tool({
      description: "One trial in full: hypothesis, outcome and failure detail, metrics, log excerpt and its diff against its parent.",
      inputSchema: z.object({ trial: z.number().int().min(0).describe('The trial number, e.g. 4 for #4.') }),
      execute: counted(counters, async ({ trial }) => {
        const record = await context.history.get(trial);
        if (!record) throw new ToolFailure(`there is no trial #${trial} (trials #0 to #${context.history.lastId} exist)`);
        return showTrial(record, record.parent === null ? null : await context.history.get(record.parent));
      }),
    }),
    rebase: tool({
      description: "Switch your scratch copy to another trial's code (e.g. a failed trial you want to repair, or a kept trial that is not the incumbent). Edits are dropped unless keep_edits is true.",
      inputSchema: z.object({ trial: z.number().int().min(0), keep_edits: z.boolean().optional() }),
      execute: counted(counters, async ({ trial, keep_edits }) => session.rebase(trial, keep_edits ?? false)),
    }),
  };
}

/** The technique notes of the specialist's library. */
function libraryTools(library: NonNullable<AgentToolsInput['library']>, counters: AgentToolsInput['counters']): ToolSet {
  return {
    list_library: tool({
      description: 'List the technique notes of your library (name and title).',
      inputSchema: z.object({}),
      execute: counted(counters, async () => listLibrary(library)),
    }),
    read_library: tool({
      description: 'Read one technique note of your library by the name list_library gave.',
      inputSchema: z.object({ name: z.string() }),
      execute: counted(counters, async ({ name }) => readLibraryNote(library, name)),
    }),
  };
}
