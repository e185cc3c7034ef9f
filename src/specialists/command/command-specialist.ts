/**
 * The `command` specialist: any external coding agent CLI (`claude -p`, `codex exec`,
 * `aider --message`, a user's script) run in a scratch worktree at the incumbent, told
 * about the lineage feedback, its role and where to write its hypothesis through
 * environment variables and `{placeholders}`. Whatever it changed becomes the
 * proposal. It runs under a wall-clock limit; at the limit its whole process group is
 * killed (the local executor) and the session ends without a proposal.
 *
 * Edits outside the surface are not filtered out: the proposal is made as the command
 * left it, with the offending paths named in its notes, and legality records the trial
 * as `illegal_edit`, so the attempt stays auditable.
 */
import type { Executor } from '../../core/executor.ts';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { matchesAny } from '../../core/glob.ts';
import { cleanTrialText } from '../../core/redact.ts';
import { ARCHIVED_TOOL_RESULT_CHARS, type SessionTranscript } from '../../core/session-archive.ts';
import type { AutolabWarning } from '../../core/errors.ts';
import type { ProposalContext, Specialist } from '../../core/specialist.ts';
import type { SpecialistSpec, TaskSpec } from '../../core/task.ts';
import type { Proposal } from '../../core/trial.ts';
import { EditPolicy } from '../shared/edit-policy.ts';
import { repairOffer } from '../shared/repair.ts';
import { resolveSurface } from '../shared/resolve-surface.ts';
import { roleText } from '../shared/roles.ts';
import { SessionReportSlot, ZERO_COST, type SessionOutcome, type SessionReport } from '../shared/session-report.ts';
import { parseCommandOptions, type CommandSettings } from './command-options.ts';
import { fillPlaceholders, readHypothesisFile, writeSessionFiles } from './session-files.ts';

export interface CommandSpecialist extends Specialist {
  readonly settings: CommandSettings;
  takeSessionReport(): SessionReport | null;
}

function lastLines(text: string, count: number): string {
  return text.trim().split('\n').slice(-count).join('\n');
}

/**
 * Creates a command specialist whose agent CLI runs through `executor` (the registry gives it
 * the local executor). Throws a `TaskFileError` for bad options or an unknown surface.
 *
 * @example
 * // autolab.yaml: { name: claude, kind: command, surface: train, role: optimizer,
 * //                 command: 'claude -p "$(cat {prompt_file})" --permission-mode acceptEdits', timeout: 15m }
 */
export function createCommandSpecialist(spec: SpecialistSpec, task: TaskSpec, executor: Executor): CommandSpecialist {
  resolveSurface(spec, task);
  const settings = parseCommandOptions(spec);
  const role = roleText(spec.role);
  const reports = new SessionReportSlot();
  let transcript: SessionTranscript | undefined;
  const end = (outcome: SessionOutcome, reason: string, warnings: AutolabWarning[] = []): null => {
    reports.put({ outcome, reason, cost: ZERO_COST, steps: 1, toolCalls: 0, retries: 0, warnings, ...(transcript ? { transcript } : {}) });
    return null;
  };

  const propose = async (context: ProposalContext): Promise<Proposal | null> => {
    reports.put(null);
    transcript = undefined;
    const startedAt = new Date().toISOString();
    const t0 = performance.now();
    const policy = new EditPolicy(context.surface, context.task.protected);
    const repair = settings.repair && !context.lineage.controlArm ? await repairOffer(context.history, spec.name) : null;
    const parent = repair ? repair.trial.id : context.incumbent.id;
    const scratch = await context.workspace.createScratch(parent);
    const files = await writeSessionFiles({ specialist: spec.name, role, context, policy, parent, repair });
    try {
      const { values, env } = sessionEnvironment({ specialist: spec.name, settings, files, policy, context, parent, workdir: scratch.dir });
      const result = await executor.run({
        command: fillPlaceholders(settings.command, values),
        cwd: scratch.dir,
        env,
        timeoutMs: settings.timeoutMs,
        outputCapBytes: settings.outputCapBytes,
        logFile: files.logFile,
        signal: context.signal,
      });
      transcript = commandTranscript({
        command: fillPlaceholders(settings.command, values),
        role,
        prompt: await readFile(files.promptFile, 'utf8').catch(() => ''),
        output: result.outputTail,
        failed: result.exitCode !== 0 || result.timedOut || result.spawnError !== null,
        parent,
        startedAt,
        durationMs: performance.now() - t0,
      });
      if (result.aborted) return end('no_proposal', 'the study stopped the session');
      if (result.timedOut) return end('failed', `timed out after ${Math.round(settings.timeoutMs / 1000)} s; its process group was killed\n${lastLines(result.outputTail, 6)}`.trim());
      if (result.spawnError) return end('failed', `could not start: ${result.spawnError}`);
      if (result.exitCode !== 0) return end('failed', `exited with ${result.exitCode === null ? `signal ${result.signal}` : `code ${result.exitCode}`}\n${lastLines(result.outputTail, 6)}`.trim());

      const collected = await collectProposal({ spec, settings, context, scratch, policy, hypothesisFile: files.hypothesisFile, parent, repair, stdoutTail: result.stdoutTail });
      if (collected === null) return end('no_proposal', 'the command changed nothing');
      const { proposal, warnings, written } = collected;
      if (written) transcript.messages.push({ role: 'assistant', text: cleanTrialText(JSON.stringify(written)), toolCalls: [], atMs: Math.round(performance.now() - t0) });
      reports.put({ outcome: 'submitted', reason: `the command exited 0 after ${Math.round(result.durationMs / 100) / 10} s`, cost: ZERO_COST, steps: 1, toolCalls: 0, retries: 0, warnings, transcript });
      return proposal;
    } finally {
      await scratch.release();
      await files.remove();
    }
  };

  return {
    spec,
    settings,
    propose,
    takeSessionReport: () => reports.takeSessionReport(),
  };
}

/**
 * The archived form of a command session: the role as the system prompt, the prompt
 * file as the first message, the command as one tool call and its output (redacted,
 * capped) as the result; the hypothesis file, when written, as the closing message.
 */
function commandTranscript(input: { command: string; role: string; prompt: string; output: string; failed: boolean; parent: number; startedAt: string; durationMs: number }): SessionTranscript {
  const atMs = Math.round(input.durationMs);
  const output = cleanTrialText(input.output);
  const cut = output.length > ARCHIVED_TOOL_RESULT_CHARS;
  return {
    kind: 'command',
    model: cleanTrialText(input.command.split(/\s+/)[0] ?? 'command'),
    system: cleanTrialText(input.role),
    firstMessage: cleanTrialText(input.prompt),
    messages: [
      { role: 'assistant', text: '', toolCalls: [{ id: 'command', name: 'command', arguments: { command: cleanTrialText(input.command) } }], atMs: 0 },
      { role: 'tool', toolCallId: 'command', name: 'command', result: cut ? '… ' + output.slice(-ARCHIVED_TOOL_RESULT_CHARS) : output, error: input.failed, truncated: cut, atMs },
    ],
    parent: input.parent,
    startedAt: input.startedAt,
    durationMs: atMs,
  };
}

/** The `{placeholders}` and the environment a command session runs with (the process's own, the task's `env:`, then autolab's). */
function sessionEnvironment(input: {
  specialist: string;
  settings: CommandSettings;
  files: { lineageFile: string; roleFile: string; promptFile: string; hypothesisFile: string };
  policy: EditPolicy;
  context: ProposalContext;
  parent: number;
  workdir: string;
}): { values: Record<string, string>; env: Record<string, string> } {
  const { files, policy, parent, workdir, specialist } = input;
  const values: Record<string, string> = {
    lineage_file: files.lineageFile,
    role_file: files.roleFile,
    prompt_file: files.promptFile,
    hypothesis_file: files.hypothesisFile,
    surface: policy.surface.paths.join(' '),
    workdir,
    parent: String(parent),
    specialist,
  };
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  Object.assign(env, input.settings.env, {
    AUTOLAB_LINEAGE_FILE: files.lineageFile,
    AUTOLAB_ROLE_FILE: files.roleFile,
    AUTOLAB_PROMPT_FILE: files.promptFile,
    AUTOLAB_HYPOTHESIS_FILE: files.hypothesisFile,
    AUTOLAB_SURFACE: policy.surface.paths.join('\n'),
    AUTOLAB_PROTECTED: input.context.task.protected.join('\n'),
    AUTOLAB_PARENT: String(parent),
    AUTOLAB_SPECIALIST: specialist,
    AUTOLAB_WORKDIR: workdir,
  });
  return { values, env };
}

/** Puts back the parent's copy of every changed path the `ignore:` globs match (removes it when the parent had none). */
async function restoreIgnoredPaths(scratch: { dir: string; changedPaths(): Promise<string[]> }, ignore: readonly string[], original: (path: string) => Promise<string | null>): Promise<void> {
  for (const path of await scratch.changedPaths()) {
    if (!matchesAny(path, ignore)) continue;
    const text = await original(path);
    if (text === null) await rm(join(scratch.dir, path), { recursive: true, force: true });
    else await writeFile(join(scratch.dir, path), text);
  }
}

/** What `collectProposal` reads once a command session exited 0. */
interface FinishedSession {
  spec: SpecialistSpec;
  settings: ReturnType<typeof parseCommandOptions>;
  context: ProposalContext;
  scratch: Awaited<ReturnType<ProposalContext['workspace']['createScratch']>>;
  policy: EditPolicy;
  hypothesisFile: string;
  parent: number;
  repair: Awaited<ReturnType<typeof repairOffer>>;
  stdoutTail: string;
}

/**
 * The proposal a finished command session leaves: its scratch copy's diff against the
 * parent (ignored paths restored), the hypothesis it wrote (else its last output line),
 * notes, and a warning for paths outside its surface. Null when it changed nothing.
 */
async function collectProposal(session: FinishedSession): Promise<{ proposal: Proposal; warnings: AutolabWarning[]; written: Awaited<ReturnType<typeof readHypothesisFile>> } | null> {
  const { spec, settings, context, scratch, policy, parent, repair } = session;
  await restoreIgnoredPaths(scratch, settings.ignore, (path) => context.readFile(parent, path));
  const patch = await scratch.diff();
  if (patch.trim() === '') return null;
  const warnings: AutolabWarning[] = [];
  const outside = (await scratch.changedPaths()).map((path) => policy.check(path)).filter((verdict) => !verdict.ok);
  if (outside.length > 0) {
    warnings.push({ code: 'command_edit_outside_surface', message: `specialist '${spec.name}': its command changed paths it may not: ${outside.map((verdict) => (verdict.ok ? '' : verdict.reason)).join('; ')}; the trial will be recorded as illegal_edit` });
  }
  const written = await readHypothesisFile(session.hypothesisFile);
  const lastOutputLine = session.stdoutTail.trim().split('\n').filter((line) => line.trim() !== '').at(-1)?.trim();
  const hypothesis = written?.hypothesis ?? lastOutputLine?.slice(0, 500) ?? `${spec.name}: an edit by \`${settings.command.split(/\s+/)[0]}\` (no hypothesis given)`;
  const notes: string[] = [];
  if (repair) notes.push(`repair of #${repair.trial.id} (${repair.label})`);
  if (written?.notes) notes.push(written.notes);
  if (outside.length > 0) notes.push(`changed outside its surface: ${outside.map((verdict) => (verdict.ok ? '' : verdict.reason)).join('; ')}`);
  const proposal: Proposal = {
    specialist: spec.name,
    parent,
    hypothesis,
    ...(written?.expectedDelta !== undefined ? { expectedDelta: written.expectedDelta } : {}),
    edit: { kind: 'patch', patch },
    ...(notes.length > 0 ? { notes: notes.join('\n') } : {}),
  };
  return { proposal, warnings, written };
}
