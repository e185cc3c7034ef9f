/**
 * The `llm` specialist: a tool-using agent over an LLM provider (AI SDK 6). Each
 * `propose` is one bounded session in its own scratch worktree at the incumbent (or,
 * after its own trial failed, at that trial when it chooses to repair it): it reads
 * the lineage and the code, edits inside its surface, and submits; the edit is the
 * scratch worktree's diff. Tokens are counted per session and priced per model.
 */
import { randomUUID } from 'node:crypto';
import type { LanguageModel } from 'ai';
import type { AutolabWarning } from '../../core/errors.ts';
import type { ProposalContext, Specialist } from '../../core/specialist.ts';
import type { SpecialistSpec, TaskSpec } from '../../core/task.ts';
import type { Proposal } from '../../core/trial.ts';
import type { AgentLoopEnd } from './agent-loop.ts';
import { firstMessage, systemPrompt, type PromptInput } from './agent-prompt.ts';
import type { ToolCounters } from './agent-tools.ts';
import { createSessionRecorder } from './session-recorder.ts';
import { AgentWorkspace } from './agent-workspace.ts';
import { EditPolicy } from '../shared/edit-policy.ts';
import { loadKnowledge } from './knowledge.ts';
import { parseLlmOptions, type LlmSettings } from './llm-options.ts';
import { checkModelConnection } from './model-ref.ts';
import { costOf, findPrice, unknownPriceWarning } from './prices.ts';
import { repairOffer } from '../shared/repair.ts';
import { roleText } from '../shared/roles.ts';
import { resolveSurface } from '../shared/resolve-surface.ts';
import { SessionReportSlot, type SessionOutcome, type SessionReport } from '../shared/session-report.ts';

/** What tests and embedders may swap in. */
export interface LlmSpecialistDependencies {
  /** A ready model (skips provider construction and key lookup). */
  model?: LanguageModel;
  /** Where API keys are looked up (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Jitter of retry backoff (default Math.random). */
  random?: () => number;
}

export interface LlmSpecialist extends Specialist {
  readonly settings: LlmSettings;
  takeSessionReport(): SessionReport | null;
}

const OUTCOME_OF_END: Record<AgentLoopEnd, SessionOutcome> = {
  submitted: 'submitted',
  step_limit: 'no_proposal',
  aborted: 'no_proposal',
  token_limit: 'failed',
  wall_time: 'failed',
  provider_error: 'failed',
};

/**
 * Creates an llm specialist from its task-file declaration. Throws a `TaskFileError`
 * for bad options, an unknown provider, a missing API key or an unknown surface.
 *
 * @example
 * // autolab.yaml: { name: opt, kind: llm, surface: train, role: optimizer, model: anthropic:claude-sonnet-4-5 }
 * const specialist = createLlmSpecialist(spec, task);
 * const proposal = await specialist.propose(context); // null when the session ended without submitting
 * const report = specialist.takeSessionReport();      // why it ended, tokens and USD
 */
export function createLlmSpecialist(spec: SpecialistSpec, task: TaskSpec, dependencies: LlmSpecialistDependencies = {}): LlmSpecialist {
  resolveSurface(spec, task);
  const settings = parseLlmOptions(spec, task);
  const where = `specialist '${spec.name}'`;
  // The key and endpoint are checked now: a bad task file fails before the study starts.
  const connection = dependencies.model ? null : checkModelConnection(settings.model, { ...(settings.baseUrl ? { baseUrl: settings.baseUrl } : {}), ...(settings.apiKeyEnv ? { apiKeyEnv: settings.apiKeyEnv } : {}) }, where, dependencies.env);
  let model: LanguageModel | undefined = dependencies.model;
  const role = roleText(spec.role);
  const reports = new SessionReportSlot();

  const propose = async (context: ProposalContext): Promise<Proposal | null> => {
    reports.put(null);
    const warnings: AutolabWarning[] = [];
    const policy = new EditPolicy(context.surface, context.task.protected);
    const knowledge = await loadKnowledge(settings.knowledge);
    for (const problem of knowledge.problems) warnings.push({ code: 'llm_knowledge_unreadable', message: `${where}: ${problem}` });
    const repair = context.lineage.controlArm ? null : await repairOffer(context.history, spec.name);
    const startParent = context.incumbent.id;
    const prompt: PromptInput = { specialist: spec.name, role, context, policy, knowledge: knowledge.text, hasLibrary: settings.library !== undefined, maxSteps: settings.maxSteps, repair };
    const session = await AgentWorkspace.open(context, startParent);
    const counters: ToolCounters = { calls: 0, failures: 0, refusals: 0 };
    const sessionId = randomUUID();
    const recorder = createSessionRecorder();
    try {
      const { system, first } = await sessionOpening(prompt, context, startParent);
      const { runAgentLoop, agentTools, knowledgeTools, createLanguageModel } = await loadAgent();
      model ??= createLanguageModel(settings.model, connection!);
      const tools = agentTools({ context, session, policy, counters, ...(settings.library !== undefined ? { library: settings.library } : {}) });
      if (context.knowledge && !context.lineage.controlArm) Object.assign(tools, knowledgeTools({ knowledge: context.knowledge, author: spec.name, sessionId, counters }));
      const loop = await runAgentLoop({
        model,
        system,
        firstMessage: first,
        tools,
        limits: settings,
        signal: context.signal,
        isDone: () => session.submission !== null,
        recorder,
        ...(dependencies.random ? { random: dependencies.random } : {}),
      });
      const cost = sessionCost(settings.model.key, loop.tokens, context.task.prices ?? task.prices ?? {}, warnings);
      const submission = session.submission;
      reports.put({
        outcome: submission ? 'submitted' : OUTCOME_OF_END[loop.end],
        reason: loop.reason,
        cost,
        steps: loop.steps,
        toolCalls: counters.calls,
        retries: loop.retries,
        warnings,
        sessionId,
        transcript: recorder.transcript({ model: settings.model.key, system, firstMessage: first, parent: startParent }),
      });
      if (!submission) return null;
      const sessionLine = `session: ${settings.model.key}, ${loop.steps} model calls, ${counters.calls} tool calls, ${loop.tokens.input + loop.tokens.output} tokens`;
      return submittedProposal(spec.name, submission, repair, sessionLine, cost);
    } finally {
      await session.release();
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
 * The agent loop, its tools and the providers, imported on the first proposal: commands
 * that never propose (status, trials, show) do not load the AI SDK.
 */
async function loadAgent() {
  const [loop, tools, knowledge, provider] = await Promise.all([import('./agent-loop.ts'), import('./agent-tools.ts'), import('./knowledge-tools.ts'), import('./model-provider.ts')]);
  return { runAgentLoop: loop.runAgentLoop, agentTools: tools.agentTools, knowledgeTools: knowledge.knowledgeTools, createLanguageModel: provider.createLanguageModel };
}

/** The proposal of a submitted session: its edit, hypothesis and notes (a repair says so; the session's size last). */
function submittedProposal(specialist: string, submission: NonNullable<AgentWorkspace['submission']>, repair: Awaited<ReturnType<typeof repairOffer>>, sessionLine: string, cost: Proposal['cost']): Proposal {
  const notes: string[] = [];
  if (repair && submission.parent === repair.trial.id) notes.push(`repair of #${repair.trial.id} (${repair.label})`);
  if (submission.notes) notes.push(submission.notes);
  notes.push(sessionLine);
  return {
    specialist,
    parent: submission.parent,
    hypothesis: submission.hypothesis,
    ...(submission.expectedDelta !== undefined ? { expectedDelta: submission.expectedDelta } : {}),
    edit: { kind: 'patch', patch: submission.patch },
    notes: notes.join('\n'),
    ...(cost !== undefined ? { cost } : {}),
  };
}

/** The system prompt and the first message of a session: the lineage prompt, then the memory cards (none in the control arm). */
async function sessionOpening(prompt: PromptInput, context: ProposalContext, startParent: number): Promise<{ system: string; first: string }> {
  const cards = context.lineage.controlArm ? '' : ((await context.knowledge?.memoryCards().catch(() => '')) ?? '');
  return { system: systemPrompt(prompt), first: [firstMessage(prompt, startParent), cards].filter((part) => part !== '').join('\n\n') };
}

/** The session's cost at the model's price; a warning when the price is unknown. */
function sessionCost(modelKey: string, tokens: Parameters<typeof costOf>[0], prices: Parameters<typeof findPrice>[1], warnings: AutolabWarning[]): ReturnType<typeof costOf> {
  const price = findPrice(modelKey, prices);
  if (price === null) {
    const warning = unknownPriceWarning(modelKey);
    if (warning) warnings.push(warning);
  }
  return costOf(tokens, price);
}
