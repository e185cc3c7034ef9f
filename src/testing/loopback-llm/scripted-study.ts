/**
 * A real study whose llm specialists talk to a loopback LLM server: a copy of a fixture
 * recipe in a temp git repo, with a task file written for the test (it sees the
 * server's base URL), opened, prepared (setup and baseline) and ready to drive.
 */
import { auditEventsOf, type AuditEventOf, type AuditEventType } from '../../core/audit-events.ts';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { AutolabWarning } from '../../core/errors.ts';
import { TypedEmitter, type StudyEventMap } from '../../core/events.ts';
import type { Specialist } from '../../core/specialist.ts';
import type { TrialRecord } from '../../core/trial.ts';
import { openStudy, type Study, type StudyRunOptions } from '../../engine/open-study.ts';
import type { StudyRuntime } from '../../evaluator/study-runtime.ts';
import type { DriveSummary } from '../../scheduler/drive-study.ts';
import { createSpecialist } from '../../specialists/registry.ts';
import { gitIn, makeRecipeRepo } from '../recipe-repo.ts';
import { startLoopbackLlm, type LoopbackLlm, type Script } from './loopback-server.ts';

export interface ScriptedStudy {
  llm: LoopbackLlm;
  study: Study;
  /** The prepared study's runtime (for asking one specialist by hand). */
  runtime: StudyRuntime;
  repoDir: string;
  /** Warnings the study emitted (unknown prices, sessions that ended without a proposal, ...). */
  warnings: AutolabWarning[];
  /** The task's specialists by name (all when no names are given), built by the registry. */
  specialists(...names: string[]): Specialist[];
  /** Runs the study with those specialists (`study.run`); round robin, sequential by default (one trial at a time, nothing proposed ahead). */
  drive(specialists: Specialist[], options?: Omit<StudyRunOptions, 'specialists'>): Promise<DriveSummary>;
  trials(): Promise<TrialRecord[]>;
  /** The study's audit-log events of type `type`. */
  events<K extends AuditEventType>(type: K): Promise<AuditEventOf<K>[]>;
  close(): Promise<void>;
}

/**
 * Opens a study over `fixture` with the task file `taskYaml(baseUrl)`; `files` are added
 * to the repo first (knowledge notes, a library folder).
 *
 * @example
 * const s = await openScriptedStudy(FIXTURE, (url) => taskYaml(url), [reply.tool('submit', { hypothesis: 'h' })]);
 * await s.drive(s.specialists('agent'), { trials: 1 });
 */
export async function openScriptedStudy(fixture: string, taskYaml: (baseUrl: string) => string, script: Script = [], files: Record<string, string> = {}): Promise<ScriptedStudy> {
  const llm = await startLoopbackLlm(script);
  const repo = await makeRecipeRepo(fixture);
  try {
    await writeFile(join(repo.dir, 'autolab.yaml'), taskYaml(llm.baseUrl));
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(repo.dir, path)), { recursive: true });
      await writeFile(join(repo.dir, path), text);
    }
    gitIn(repo.dir, ['add', '-A']);
    gitIn(repo.dir, ['commit', '-qm', 'task file for this test']);
    const warnings: AutolabWarning[] = [];
    const events = new TypedEmitter<StudyEventMap>();
    events.on('warning', (warning) => warnings.push(warning));
    const study = await openStudy(repo.dir, { create: true, events });
    const { runtime } = await study.prepare(new AbortController().signal);
    return {
      llm,
      study,
      runtime,
      repoDir: repo.dir,
      warnings,
      specialists: (...names) => study.task.specialists.filter((spec) => names.length === 0 || names.includes(spec.name)).map((spec) => createSpecialist(spec, study.task)),
      drive: (specialists, options = {}) => study.run({ scheduler: 'round-robin', maxWaiting: 0, ...options, specialists }),
      trials: async () => (await study.trials()).filter((trial) => trial.id !== 0),
      events: async (type) => auditEventsOf(await study.store.listEvents(study.record.id), type),
      close: async () => {
        await study.close();
        await llm.close();
        await repo.cleanup();
      },
    };
  } catch (error) {
    await llm.close();
    await repo.cleanup();
    throw error;
  }
}
