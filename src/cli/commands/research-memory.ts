/**
 * The research memory's commands: `autolab sessions` (the session archive),
 * `autolab show TRIAL --session` (a session replayed step by step), `autolab knowledge`
 * (the knowledge base, regenerated) and `autolab memory list|show|forget` (technique
 * cards across studies).
 */
import { AutolabError } from '../../core/errors.ts';
import type { ArchivedMessage, SessionRecord } from '../../core/session-archive.ts';
import { terminalText } from '../../core/terminal-text.ts';
import type { TechniqueCard } from '../../core/technique-card.ts';
import { openStudyMemory } from '../../engine/research-memory-hook.ts';
import type { Study } from '../../engine/study.ts';
import { renderStudyKnowledge, writeStudyKnowledge } from '../../knowledge/study-knowledge.ts';
import { parseTrialId, withStudy, type StudyCommandOptions } from '../context.ts';
import { formatDuration, oneLine, renderTable } from '../format.ts';

function write(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : text + '\n');
}

async function sessionsOf(study: Study, filter: { specialist?: string; trialId?: number } = {}): Promise<SessionRecord[]> {
  if (!study.store.researchMemory) throw new AutolabError('UsageError', 'this store keeps no session archive');
  return study.store.researchMemory().listSessions(study.record.id, filter);
}

/** `autolab sessions [--specialist N] [--json]`: every archived session, oldest first. */
export async function sessionsCommand(path: string, options: StudyCommandOptions & { json?: boolean; specialist?: string }): Promise<number> {
  return withStudy(path, options, {}, async (study) => {
    const sessions = await sessionsOf(study, options.specialist !== undefined ? { specialist: options.specialist } : {});
    if (options.json) {
      write(JSON.stringify(sessions.map(({ system, firstMessage, messages, ...summary }) => ({ ...summary, messages: messages.length })), null, 2));
      return 0;
    }
    if (sessions.length === 0) {
      write(`no sessions archived in study '${study.name}' yet (llm and command specialists' sessions are archived as they end)`);
      return 0;
    }
    const rows = sessions.map((session) => [
      session.id.slice(0, 8),
      session.specialist,
      session.kind,
      session.startedAt.slice(0, 19).replace('T', ' '),
      formatDuration(session.durationMs),
      session.outcome,
      session.trialId === null ? '—' : `#${session.trialId}`,
      String(session.steps),
      String(session.toolCalls),
      String(session.retries),
      String(session.cost.inputTokens + session.cost.outputTokens),
      `$${session.cost.usd.toFixed(4)}`,
      `${Math.round(session.bytes / 1024)}K`,
      oneLine(terminalText(session.reason), 60),
    ]);
    write(renderTable(['session', 'specialist', 'kind', 'started', 'took', 'outcome', 'trial', 'steps', 'tools', 'retries', 'tokens', 'usd', 'size', 'why it ended'], rows));
    return 0;
  });
}

function indent(text: string, prefix = '    '): string {
  return text.split('\n').map((line) => prefix + line).join('\n');
}

function renderMessage(message: ArchivedMessage, limit: number): string {
  const at = `+${(message.atMs / 1000).toFixed(1)}s`;
  const cut = (text: string) => (text.length > limit ? text.slice(0, limit) + ` … (${text.length - limit} more characters)` : text);
  switch (message.role) {
    case 'assistant': {
      const lines = [`${at} assistant${message.tokens ? ` (${message.tokens.input} in, ${message.tokens.output} out, ${message.durationMs ?? 0} ms)` : ''}`];
      if (message.reasoning) lines.push(indent(`[reasoning] ${cut(message.reasoning)}`));
      if (message.text) lines.push(indent(cut(message.text)));
      for (const call of message.toolCalls) lines.push(indent(`→ ${call.name}(${cut(JSON.stringify(call.arguments))})`));
      return lines.join('\n');
    }
    case 'tool':
      return `${at} ${message.error ? 'tool ERROR' : 'tool'} ${message.name}${message.truncated ? ' (capped)' : ''}\n${indent(cut(message.result))}`;
    case 'user':
      return `${at} autolab → model\n${indent(cut(message.text))}`;
    case 'retry':
      return `${at} retry (${message.kind}) after ${message.delayMs} ms: ${message.message}`;
  }
}

/** A session replayed step by step, as text. */
export function renderSession(session: SessionRecord, options: { limit?: number } = {}): string {
  const limit = options.limit ?? 2_000;
  const lines = [
    `session ${session.id} · ${session.specialist} (${session.kind}, ${session.model}) · ${session.outcome}: ${session.reason}`,
    `started ${session.startedAt} from trial #${session.parent ?? '—'} · took ${formatDuration(session.durationMs)} · ${session.steps} model calls, ${session.toolCalls} tool calls, ${session.retries} retries · ${session.cost.inputTokens} in / ${session.cost.outputTokens} out tokens, $${session.cost.usd.toFixed(4)}${session.trialId !== null ? ` · became trial #${session.trialId}` : ''}`,
    '',
    '── system prompt',
    indent(session.system.length > limit ? session.system.slice(0, limit) + ' …' : session.system),
    '── first message',
    indent(session.firstMessage.length > limit ? session.firstMessage.slice(0, limit) + ' …' : session.firstMessage),
    '── conversation',
    ...session.messages.map((message) => renderMessage(message, limit)),
  ];
  return terminalText(lines.join('\n'));
}

/** `autolab show TRIAL --session`: the session(s) that proposed a trial, replayed. */
export async function showSessionCommand(id: string, options: StudyCommandOptions & { json?: boolean; path?: string }): Promise<number> {
  return withStudy(options.path ?? '.', options, {}, async (study) => {
    const trial = await study.trial(parseTrialId(id));
    const sessions = await sessionsOf(study, { trialId: trial.id });
    if (options.json) {
      write(JSON.stringify({ trial: trial.id, diff: trial.diff, sessions }, null, 2));
      return 0;
    }
    if (sessions.length === 0) {
      write(`trial #${trial.id} has no archived session (${trial.specialist === 'baseline' || trial.id === 0 ? 'the baseline' : `specialist '${trial.specialist}' keeps no sessions, or it was proposed by hand`})`);
      return 0;
    }
    for (const session of sessions) write(renderSession(session));
    if (trial.diff) write(`── the diff it produced (trial #${trial.id})\n${terminalText(trial.diff)}`);
    return 0;
  });
}

/** `autolab knowledge [--paths]`: the knowledge base, regenerated from the store. */
export async function knowledgeCommand(path: string, options: StudyCommandOptions & { paths?: boolean }): Promise<number> {
  return withStudy(path, options, {}, async (study) => {
    const paths = await writeStudyKnowledge({ store: study.store, studyId: study.record.id, studyName: study.name, task: study.task }, study.paths.study);
    if (options.paths) write(paths.join('\n'));
    else write((await renderStudyKnowledge({ store: study.store, studyId: study.record.id, studyName: study.name, task: study.task }))['README.md']);
    return 0;
  });
}

function cardLine(card: TechniqueCard): string[] {
  const effect = `${card.effect > 0 ? '+' : ''}${Number(card.effect.toPrecision(4))}${card.effectLow !== null && card.effectHigh !== null ? ` [${Number(card.effectLow.toPrecision(3))}, ${Number(card.effectHigh.toPrecision(3))}]` : ''}`;
  return [card.id, card.study, `#${card.trialId}`, card.metric, effect, card.fingerprint.slice(0, 8), oneLine(terminalText(card.summary), 60)];
}

/** `autolab memory list|show ID|forget ID [--json]`: technique cards across studies. */
export async function memoryCommand(action: string, id: string | undefined, options: StudyCommandOptions & { json?: boolean; path?: string }): Promise<number> {
  if (!['list', 'show', 'forget'].includes(action)) throw new AutolabError('UsageError', `unknown memory action '${action}'`, { hint: 'use autolab memory list, autolab memory show CARD or autolab memory forget CARD' });
  if (action !== 'list' && id === undefined) throw new AutolabError('UsageError', `memory ${action} needs a card id`, { hint: 'autolab memory list shows the ids' });
  return withStudy(options.path ?? '.', options, {}, async (study) => {
    const handle = await openStudyMemory(study.task, study.store, study.name);
    if (!handle) throw new AutolabError('UsageError', 'this store keeps no memory');
    try {
      const memory = handle.memory.store;
      if (action === 'list') {
        const cards = await memory.listCards();
        if (options.json) write(JSON.stringify(cards.map(({ diff, ...card }) => card), null, 2));
        else if (cards.length === 0) write('no technique cards yet (a card is written for every kept trial that improved on its parent)');
        else write(renderTable(['card', 'study', 'trial', 'metric', 'effect', 'recipe', 'summary'], cards.map(cardLine)));
        return 0;
      }
      const card = await memory.getCard(id!);
      if (!card) throw new AutolabError('NotFound', `there is no technique card '${id}'`, { hint: 'autolab memory list shows the ids' });
      if (action === 'forget') {
        await memory.forgetCard(card.id);
        write(`forgot card ${card.id} (${oneLine(card.summary, 60)}); later studies will not see it`);
        return 0;
      }
      if (options.json) write(JSON.stringify(card, null, 2));
      else write(terminalText([`card ${card.id}: ${card.summary}`, `study '${card.study}' trial #${card.trialId} by ${card.specialist} · recipe ${card.fingerprint}`, `${card.metric}: ${card.parentScore} → ${card.score} (effect ${cardLine(card)[4]})`, ...(card.knobs ? [`knobs: ${JSON.stringify(card.knobs)}`] : []), '', card.diff].join('\n')));
      return 0;
    } finally {
      await handle.close();
    }
  });
}
