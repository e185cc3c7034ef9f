/**
 * autolab as a library. The CLI and the dashboard are thin shells over these.
 *
 * @example
 * import { openStudy, driveStudy, createSpecialist } from 'autolab';
 * const study = await openStudy('examples/golf', { create: true });
 * const { context } = await study.prepare(new AbortController().signal);
 * const specialists = study.task.specialists.map((spec) => createSpecialist(spec, study.task));
 * const stop = new AbortController();
 * await driveStudy(context, specialists, { stop: stop.signal, kill: stop.signal, trials: 5 });
 * await study.close();
 */
export { openStudy, Study, type OpenStudyOptions } from './engine/open-study.ts';
export { driveStudy, type DriveOptions, type DriveSummary } from './scheduler/drive-study.ts';
export { createSpecialist } from './specialists/registry.ts';
export { loadTaskFile } from './task/load-task.ts';
export { buildLineageFeedback } from './core/lineage-feedback.ts';
export { renderLineageMarkdown } from './core/lineage-markdown.ts';
export { classifyOutcome } from './core/outcome.ts';
export { AutolabError } from './core/errors.ts';
export { TypedEmitter, type StudyEventMap } from './core/events.ts';
export type * from './core/task.ts';
export type * from './core/trial.ts';
export type * from './core/store.ts';
export type * from './core/executor.ts';
export type * from './core/specialist.ts';
export type * from './core/lineage.ts';
export type * from './core/study.ts';
export { FAILURE_LABELS, trialToJson } from './core/trial.ts';
