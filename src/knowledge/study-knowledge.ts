/**
 * The study's knowledge base as files and as what specialists reach through their tools:
 * rendered from the store (trials and notes), written under the study folder
 * (`.autolab/studies/<study>/knowledge/`), and, with memory, the technique cards and knob
 * priors of earlier studies.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StudyKnowledgeAccess } from '../core/specialist.ts';
import type { Store } from '../core/store.ts';
import type { Objective } from '../core/task.ts';
import type { StudyMemory } from '../core/technique-card.ts';
import { relevantCards, renderCards } from '../memory/technique-cards.ts';
import type { KnowledgeFiles } from './knowledge-base.ts';
import { renderKnowledgeFiles } from './knowledge-render.ts';
import { KnowledgeTracker } from './knowledge-tracker.ts';

/** What the knowledge base is made from. */
export interface KnowledgeSource {
  store: Store;
  studyId: number;
  studyName: string;
  task: { objective: Objective };
  memory?: StudyMemory;
}

/** The folder of the knowledge files of a study (`<study folder>/knowledge`). */
export function knowledgeDir(studyFolder: string): string {
  return join(studyFolder, 'knowledge');
}

/**
 * The knowledge base rendered from the store as it is now (what `renderKnowledgeBase`
 * gives for every trial). With the `tracker` of the last rendering, only the trials
 * created or finished since are read; without one, the study is read a page at a time.
 *
 * @example
 * const tracker = new KnowledgeTracker(task.objective);
 * const files = await renderStudyKnowledge(runtime, tracker); // later: the same tracker
 */
export async function renderStudyKnowledge(source: KnowledgeSource, tracker = new KnowledgeTracker(source.task.objective)): Promise<KnowledgeFiles> {
  const { baseline, unfinished } = await tracker.refresh(source.store, source.studyId);
  const notes = source.store.researchMemory ? await source.store.researchMemory().listNotes(source.studyId) : [];
  return renderKnowledgeFiles(tracker.state.summaries({ study: source.studyName, baseline, unfinished, notes }));
}

/**
 * Regenerates the knowledge files under `studyFolder` (with `tracker`, reading only what
 * changed since its last rendering); returns their paths. Each file is replaced whole
 * (written aside, then renamed), so a reader never sees half a file.
 *
 * @example
 * const paths = await writeStudyKnowledge(runtime, runtime.paths.study); // [.../knowledge/README.md, ...]
 */
export async function writeStudyKnowledge(source: KnowledgeSource, studyFolder: string, tracker?: KnowledgeTracker): Promise<string[]> {
  const files = await renderStudyKnowledge(source, tracker);
  const dir = knowledgeDir(studyFolder);
  await mkdir(dir, { recursive: true });
  const paths: string[] = [];
  for (const [name, text] of Object.entries(files)) {
    const path = join(dir, name);
    const aside = `${path}.${process.pid}.tmp`;
    await writeFile(aside, text);
    await rename(aside, path);
    paths.push(path);
  }
  return paths;
}

/**
 * What a specialist reaches of the knowledge base (its tools, its first message), or
 * undefined when the store keeps no research memory.
 */
export function studyKnowledgeAccess(source: KnowledgeSource): StudyKnowledgeAccess | undefined {
  const { store } = source;
  if (!store.researchMemory) return undefined;
  const archive = store.researchMemory();
  const memory = source.memory;
  return {
    recordNote: (author, text, sessionId) => archive.addNote(source.studyId, { author, text, sessionId }),
    read: async () => (await renderStudyKnowledge(source))['README.md'],
    memoryCards: async () => {
      if (!memory?.use) return '';
      const cards = relevantCards(await memory.store.listCards({ limit: 200 }), { fingerprint: memory.fingerprint, metric: source.task.objective.metric, study: memory.studyName });
      return renderCards(cards, memory.fingerprint);
    },
    knobPriors: async (knobNames) => (memory?.use ? memory.store.listKnobObservations({ excludeStudy: memory.studyName, knobNames, limit: 5_000 }) : []),
  };
}
