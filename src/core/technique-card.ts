/**
 * Memory across studies: a **technique card** is one kept change, measured: what it
 * was (hypothesis, diff), its effect on the objective with an interval, at which
 * fidelity, on which recipe (a fingerprint of the recipe family) and in which study. A
 * **knob observation** is one measured trial's knob values, so a later study's knob
 * samplers can start from what earlier studies measured.
 */
import type { Direction } from './task.ts';

export interface TechniqueCard {
  id: string;
  /** The study that measured it (its name and id in the store it came from). */
  study: string;
  trialId: number;
  specialist: string;
  /** The recipe family: a hash of the task's objective, surfaces and knob names (see `recipeFingerprint`). */
  fingerprint: string;
  metric: string;
  direction: Direction;
  /** The hypothesis of the kept trial. */
  summary: string;
  /** Its diff against its parent (capped). */
  diff: string;
  /** The change of the objective against the parent (signed as measured). */
  effect: number;
  /** An interval around the effect (the parent's and the trial's repeats; the noise of the baseline otherwise); null when unknown. */
  effectLow: number | null;
  effectHigh: number | null;
  /** The score before and after. */
  parentScore: number;
  score: number;
  /** The fidelity level name, when the study had a ladder. */
  fidelity: string | null;
  /** The knob values of the trial, when it had declared knobs. */
  knobs: Record<string, string | number | boolean> | null;
  createdAt: string;
}

/** One measured trial of an earlier study, on its declared knobs (a prior for knob samplers). */
export interface KnobPriorObservation {
  study: string;
  trialId: number;
  fingerprint: string;
  metric: string;
  direction: Direction;
  values: Record<string, string | number | boolean>;
  /** The objective's value; null when the trial failed. */
  score: number | null;
  /** The knob space as the earlier study declared it (name -> type and range), to judge matching knobs. */
  space: Record<string, { type: string; low?: number; high?: number; log?: boolean; choices?: Array<string | number | boolean> }>;
}

/**
 * The memory store port: technique cards and knob observations kept across studies.
 * By default it is the study store's own database (every study of that store shares it);
 * a task's `memory.path` names another. Safe to call from several processes.
 */
export interface MemoryStore {
  putCard(card: TechniqueCard): Promise<void>;
  /** Cards, newest first; `fingerprint` narrows to one recipe family; forgotten cards are left out. */
  listCards(filter?: { fingerprint?: string; study?: string; limit?: number }): Promise<TechniqueCard[]>;
  getCard(id: string): Promise<TechniqueCard | null>;
  /** Forgets a card (it is no longer listed nor used); true when there was one. */
  forgetCard(id: string): Promise<boolean>;
  putKnobObservation(observation: KnobPriorObservation): Promise<void>;
  /** Observations of studies other than `excludeStudy` on knobs named in `knobNames`. */
  listKnobObservations(filter: { excludeStudy?: string; knobNames?: readonly string[]; limit?: number }): Promise<KnobPriorObservation[]>;
}

/**
 * The memory a study reads and writes, as its runtime carries it: the memory store, whether
 * this study is warm-started from it (`use`), whether it writes to it, and the recipe
 * fingerprint that says which cards are about this recipe family.
 */
export interface StudyMemory {
  store: MemoryStore;
  use: boolean;
  write: boolean;
  fingerprint: string;
  studyName: string;
}
