import type { AuditEventMap, FinishedTrialStatus } from './audit-events.ts';
import type { AutolabWarning } from './errors.ts';
import type { StudyRecord } from './study.ts';
import type { TrialRecord } from './trial.ts';

/**
 * Lifecycle events of a study, in one typed map: what the in-process bus carries (the CLI's
 * progress display, library users: `study.events.on('trial.finished', ...)`). It speaks
 * the audit log's vocabulary (`AuditEventMap`, ./audit-events.ts): an event both carry has
 * one name and the stored payload, plus the live records (`trial`); the others happen
 * only in the process that drives the study and are never stored.
 * Documented in docs/events.md.
 */
export interface StudyEventMap {
  'study.opened': { study: StudyRecord; resumed: boolean };
  'setup.started': { command: string };
  'setup.finished': { durationMs: number };
  'trial.created': AuditEventMap['trial.created'] & { trial: TrialRecord };
  'trial.phase': AuditEventMap['trial.phase'] & { trialId: number };
  'trial.finished': AuditEventMap['trial.finished'] & { trial: TrialRecord; incumbentChanged: boolean };
  /** An unfinished trial of a dead driver was recorded (`interrupted`). */
  'trial.recovered': { trialId: number; label: string };
  /** A dead driver's trial taken over by this process: its jobs (queued, running or finished) are waited for, not run again. */
  'trial.adopted': { trialId: number };
  warning: AutolabWarning;
  /** A stop was asked for (`force`: the second Ctrl-C kills running trials). */
  'study.stopping': { reason: string; force: boolean };
  'study.stopped': AuditEventMap['study.stopped'];
}

/** The name of an in-process study event. */
export type StudyEventName = keyof StudyEventMap;

/**
 * The `trial.created` payload of a recorded trial.
 *
 * @example events.emit('trial.created', trialCreatedEvent(trial));
 */
export function trialCreatedEvent(trial: TrialRecord): StudyEventMap['trial.created'] {
  return { specialist: trial.specialist, parent: trial.parent, trial };
}

/**
 * The `trial.finished` payload of a finished trial (`incumbentChanged` when it was kept).
 *
 * @example events.emit('trial.finished', trialFinishedEvent(recorded));
 */
export function trialFinishedEvent(trial: TrialRecord): StudyEventMap['trial.finished'] {
  // Only a recorded (finished) trial is announced as finished.
  return { status: trial.status as FinishedTrialStatus, label: trial.label, score: trial.score, trial, incumbentChanged: trial.status === 'kept' };
}

type Listener<T> = (payload: T) => void;

/** A minimal typed event emitter; listeners that throw are isolated from each other. */
export class TypedEmitter<Events extends object> {
  private readonly listeners = new Map<keyof Events, Set<Listener<never>>>();

  on<K extends keyof Events>(name: K, listener: Listener<Events[K]>): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener as Listener<never>);
    return () => set!.delete(listener as Listener<never>);
  }

  emit<K extends keyof Events>(name: K, payload: Events[K]): void {
    for (const listener of this.listeners.get(name) ?? []) {
      try {
        (listener as Listener<Events[K]>)(payload);
      } catch {
        // A broken subscriber must never break the study.
      }
    }
  }
}
