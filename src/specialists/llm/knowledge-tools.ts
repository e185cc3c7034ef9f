/**
 * The tools that reach the study's knowledge base: `read_knowledge` (leaderboard,
 * hypothesis tree with measured effects, failures by cause, notes) and `record_note`
 * (a note on the shared blackboard, attributed to the specialist and its session, that
 * every later session sees). Offered when the store keeps a research memory.
 */
import { tool, type ToolSet } from 'ai';
import { z } from 'zod';
import { redactSecrets } from '../../core/redact.ts';
import type { StudyKnowledgeAccess } from '../../core/specialist.ts';
import type { ToolCounters } from './agent-tools.ts';
import { ToolFailure } from './recipe-files.ts';

const MAX_NOTE_CHARS = 2_000;

/** The knowledge tools of one session. */
export function knowledgeTools(input: { knowledge: StudyKnowledgeAccess; author: string; sessionId: string; counters: ToolCounters }): ToolSet {
  const { knowledge, author, sessionId, counters } = input;
  const counted = <A, R>(run: (args: A) => Promise<R>) => async (args: A): Promise<R> => {
    counters.calls++;
    try {
      return await run(args);
    } catch (error) {
      counters.failures++;
      throw error instanceof ToolFailure ? error : new ToolFailure(`the tool failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  return {
    read_knowledge: tool({
      description: "The study's knowledge base: leaderboard, every idea tried with its measured effect and confidence, what failed and why, what is saturated, and the notes specialists recorded.",
      inputSchema: z.object({}),
      execute: counted(async () => knowledge.read()),
    }),
    record_note: tool({
      description: 'Record a lesson on the study blackboard (e.g. "lr above 0.1 diverges within 50 steps"): every later session of every specialist sees it. Short, specific, measured facts only.',
      inputSchema: z.object({ text: z.string().min(1).describe(`The note, at most ${MAX_NOTE_CHARS} characters.`) }),
      execute: counted(async ({ text }) => {
        const trimmed = text.trim();
        if (trimmed === '') throw new ToolFailure('a note needs some text');
        if (trimmed.length > MAX_NOTE_CHARS) throw new ToolFailure(`a note has at most ${MAX_NOTE_CHARS} characters (this one has ${trimmed.length}); shorten it`);
        const note = await knowledge.recordNote(author, redactSecrets(trimmed), sessionId);
        return `noted (#${note.id}, ${note.at}); later sessions will see it`;
      }),
    }),
  };
}
