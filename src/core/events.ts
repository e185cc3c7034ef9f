import type { AutolabWarning } from './errors.ts';
import type { StudyRecord } from './study.ts';
import type { TrialPhase, TrialRecord } from './trial.ts';

/**
 * Lifecycle events of a study, in one typed map. The CLI's progress display and the
 * dashboard subscribe to these; the store's audit log records the state changes.
 */
export interface StudyEventMap {
  'study:opened': { study: StudyRecord; resumed: boolean };
  'setup:started': { command: string };
  'setup:finished': { durationMs: number };
  'trial:created': { trial: TrialRecord };
  'trial:phase': { trialId: number; phase: TrialPhase };
  'trial:finished': { trial: TrialRecord; incumbentChanged: boolean };
  'trial:recovered': { trialId: number; label: string };
  /** A dead driver's trial taken over by this process: its jobs (queued, running or finished) are waited for, not run again. */
  'trial:adopted': { trialId: number };
  warning: AutolabWarning;
  stopping: { reason: string; force: boolean };
  'study:stopped': { reason: string };
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
