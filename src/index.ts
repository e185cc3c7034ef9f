/**
 * autolab as a library. The CLI and the dashboard are thin shells over these.
 *
 * @example
 * import { openStudy } from 'autolab';
 * const study = await openStudy('examples/golf', { create: true });
 * const summary = await study.run({ trials: 5 });
 * console.log(summary.stopReason, summary.incumbent.score);
 * await study.close();
 */
export { openStudy, waitForStudy, Study, type OpenStudyOptions, type StudyRunOptions, type StudyWorkOptions, type WaitForStudyOptions } from './engine/open-study.ts';
export type { DriveSummary } from './scheduler/drive-study.ts';
export type { WorkerSummary } from './worker/work-study.ts';
export type { StudyRuntime } from './evaluator/study-runtime.ts';
export type { SpecialistChooser } from './scheduler/specialist-chooser.ts';
export { createSpecialist } from './specialists/registry.ts';
export { loadTaskFile } from './task/load-task.ts';
export { buildLineageFeedback } from './core/lineage-feedback.ts';
export { renderLineageMarkdown } from './core/lineage-markdown.ts';
export { classifyOutcome } from './core/outcome.ts';
export { AutolabError } from './core/errors.ts';
export { TypedEmitter, trialCreatedEvent, trialFinishedEvent, type StudyEventMap, type StudyEventName } from './core/events.ts';
export {
  AUDIT_EVENT_TYPES,
  LEGACY_AUDIT_EVENT_NAMES,
  auditEventTypeOf,
  auditEventsOf,
  isAuditEventOf,
  storedTypeOf,
  type AuditEvent,
  type AuditEventMap,
  type AuditEventOf,
  type AuditEventType,
  type StudyEvent,
  type UnrecognisedAuditEvent,
} from './core/audit-events.ts';
export type * from './core/task.ts';
export type * from './core/trial.ts';
export type * from './core/store.ts';
export type * from './core/executor.ts';
export type * from './core/specialist.ts';
export type * from './core/lineage.ts';
export type * from './core/study.ts';
export { FAILURE_LABELS, trialToJson } from './core/trial.ts';
export { extractFailureSignature, type FailureSignature, type FailureSignatureInput } from './core/failure-signature.ts';
export { failureOf, failureLine } from './core/trial-failure.ts';
export type { LineageFailureCause, LineageChange } from './core/lineage-failures.ts';
export { failuresByCause, type FailureCause } from './views/failures-by-cause.ts';
