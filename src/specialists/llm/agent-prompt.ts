/**
 * The prompt of an llm specialist's session: the system text (role, rules, surface,
 * pinned knowledge) and the first user message (the lineage feedback, a repair offer
 * after its own crash, where its scratch copy starts).
 */
import { formatNumber } from '../../core/gates.ts';
import { renderLineageMarkdown } from '../../core/lineage-markdown.ts';
import type { ProposalContext } from '../../core/specialist.ts';
import type { EditPolicy } from '../shared/edit-policy.ts';
import { repairText, type RepairOffer } from '../shared/repair.ts';

export interface PromptInput {
  specialist: string;
  role: string;
  context: ProposalContext;
  policy: EditPolicy;
  knowledge: string;
  hasLibrary: boolean;
  maxSteps: number;
  repair: RepairOffer | null;
}

/** The system prompt: who the agent is, what it may touch, how a session goes. */
export function systemPrompt(input: PromptInput): string {
  const { task } = input.context;
  const gates = task.gates.length > 0 ? task.gates.map((gate) => gate.source).join('; ') : 'none';
  const lines = [
    `You are '${input.specialist}', a specialist in an auto-research study run by autolab.`,
    '',
    '## Your role',
    input.role,
    '',
    '## How the study works',
    `The study improves a recipe (a program with a measured outcome). Objective: ${task.objective.direction} \`${task.objective.metric}\` (${task.objective.direction === 'minimize' ? 'lower' : 'higher'} is better). Gates every kept trial must meet: ${gates}.`,
    `Each proposal you submit becomes a trial: an evaluator you cannot touch applies your edit, checks it is legal, runs it under a wall-clock budget of ${Math.round(task.run.timeoutMs / 1000)} s and scores it. A trial is kept when it beats the incumbent${task.acceptance.margin > 0 ? ` by more than ${formatNumber(task.acceptance.margin)}` : ''}.`,
    'Failures are recorded with a label (crash, run_timeout, oom, gate_miss, illegal_edit, ...) and shown to every specialist in the lineage.',
    '',
    '## Your surface',
    `You may change only these paths: ${input.policy.surface.paths.join(', ')}.${task.protected.length > 0 ? ` Protected (evaluator-owned, never changeable): ${task.protected.join(', ')}.` : ''} Edits elsewhere are refused.`,
    '',
    '## How a session goes',
    '1. Read the lineage below (and read_lineage, leaderboard, show_trial for details) and the code (list_files, read_file, grep).',
    '2. Form one focused hypothesis that the measurements support; avoid repeating what already failed or made no difference.',
    '3. Edit with edit_file (exact search/replace) or write_file (new files); run_preflight to catch mistakes.',
    '4. Call submit with the hypothesis, the expected change of the objective and notes. Submit exactly once; the session ends there.',
    `You have at most ${input.maxSteps} model calls in this session; a session that does not submit is wasted.`,
  ];
  if (input.context.lineage.controlArm) {
    lines.splice(lines.indexOf('## How a session goes') + 2, 1, '1. Read the code (list_files, read_file, grep). In this study you see only the incumbent\'s score, not the history of trials.');
  }
  if (input.hasLibrary) lines.push('', 'A library of technique notes is available: list_library, read_library.');
  if (input.knowledge) lines.push('', '## Knowledge (pinned by the user)', '', input.knowledge);
  return lines.join('\n');
}

/** The first user message: the lineage, a repair offer, where the scratch copy starts. */
export function firstMessage(input: PromptInput, startParent: number): string {
  const { context } = input;
  const parts = [renderLineageMarkdown(context.lineage).trimEnd()];
  if (input.repair && !context.lineage.controlArm) parts.push(repairText(input.repair));
  const incumbent = context.incumbent;
  parts.push(
    `Your scratch copy is at trial #${startParent}${startParent === incumbent.id ? ` (the incumbent${incumbent.score === null ? '' : `, ${context.task.objective.metric} = ${formatNumber(incumbent.score)}`})` : ''}. Make one proposal and submit it.`,
  );
  return parts.join('\n\n');
}
