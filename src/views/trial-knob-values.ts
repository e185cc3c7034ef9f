/**
 * Each trial's knob values, read the way the knobs specialist reads them: from the JSON
 * line a knobs specialist writes into its proposal's notes, else from the recipe's files
 * at the trial's commit. A trial's notes and commit never change once set, so values are
 * read once per trial and kept; files are read in batches, and each distinct blob of a
 * knob file is parsed once (most trials share most files). What is kept is one frozen
 * values object per trial, in one map that `read` hands back itself once it holds every
 * trial asked for (no second map of every trial per call).
 */
import { AutolabError } from '../core/errors.ts';
import type { TrialRecord } from '../core/trial.ts';
import { readKnobFromText } from '../specialists/knobs/knob-io.ts';
import { parseKnobNotes } from '../specialists/knobs/knob-history.ts';
import type { KnobValue } from '../specialists/knobs/knob-value.ts';
import type { StudyKnob } from './study-knobs.ts';

/** Knob values by the knob's column name (see {@link StudyKnob.column}); a knob that could not be read is absent. */
export type TrialKnobs = Readonly<Record<string, KnobValue>>;

/** Reads files at commits in one go; each result carries its blob id (see `Workspace.readFilesAt`). */
export type FilesAtCommits = (requests: ReadonlyArray<{ commit: string; path: string }>, known: ReadonlySet<string>) => Promise<Array<{ blob: string; text: string } | null>>;

const EMPTY: TrialKnobs = Object.freeze({});

/**
 * The knob values of a study's trials, read once each.
 *
 * @example
 * const reader = new TrialKnobValues(knobsOfTask(study.taskJson), (requests, known) => workspace.readFilesAt(requests, known));
 * const values = await reader.read(trials);
 * values.get(12); // { lr: 0.03, width: 96 }
 */
export class TrialKnobValues {
  private readonly entries = new Map<number, TrialKnobs>();
  /** Trials whose values were read before they had a commit (read again once they have one). */
  private readonly beforeCommit = new Set<number>();
  /** Per blob id, the values of the knobs located in that file (null: the knob is not there). */
  private readonly blobs = new Map<string, Map<string, KnobValue | null>>();
  private readonly fromNotes: ReadonlySet<string>;

  constructor(
    readonly knobs: readonly StudyKnob[],
    /** Null when the study's private repo is not on this machine: values come from notes only. */
    private readonly files: FilesAtCommits | null,
  ) {
    // A notes line names knobs by their plain name: only unambiguous names are taken from it.
    this.fromNotes = new Set(knobs.filter((knob) => knob.column === knob.name).map((knob) => knob.name));
  }

  /** The values of `id` if already read (no I/O). */
  peek(id: number): TrialKnobs | undefined {
    return this.entries.get(id);
  }

  /**
   * The values of every trial in `trials`, reading only trials not read before (or whose
   * commit appeared since). A trial whose values cannot be known maps to `{}`.
   */
  async read(trials: readonly TrialRecord[]): Promise<ReadonlyMap<number, TrialKnobs>> {
    if (this.knobs.length === 0) {
      const result = new Map<number, TrialKnobs>();
      for (const trial of trials) result.set(trial.id, EMPTY);
      return result;
    }
    const toRead: Array<{ trial: TrialRecord; values: Record<string, KnobValue> }> = [];
    for (const trial of trials) {
      if (this.entries.has(trial.id) && (trial.commit === null || !this.beforeCommit.has(trial.id))) continue;
      const values = this.noted(trial);
      if (this.knobs.every((knob) => values[knob.column] !== undefined) || trial.commit === null || this.files === null) this.keep(trial, values);
      else toRead.push({ trial, values });
    }
    /** Values of trials whose files could not be read this time (not kept: tried again next time). */
    const unkept = new Map<number, TrialKnobs>();
    if (toRead.length > 0) await this.readFiles(toRead, unkept);
    if (unkept.size === 0 && this.entries.size === trials.length) return this.entries; // holds exactly these trials
    const result = new Map<number, TrialKnobs>();
    for (const trial of trials) result.set(trial.id, unkept.get(trial.id) ?? this.entries.get(trial.id)!);
    return result;
  }

  private keep(trial: TrialRecord, values: Record<string, KnobValue>): void {
    this.entries.set(trial.id, Object.freeze(values));
    if (trial.commit === null) this.beforeCommit.add(trial.id);
    else this.beforeCommit.delete(trial.id);
  }

  private noted(trial: TrialRecord): Record<string, KnobValue> {
    const values: Record<string, KnobValue> = {};
    const noted = trial.notes.includes('"knobs"') ? parseKnobNotes(trial.notes) : null;
    if (noted === null) return values;
    for (const knob of this.knobs) {
      const value = noted[knob.name];
      if (value !== undefined && this.fromNotes.has(knob.name)) values[knob.column] = value;
    }
    return values;
  }

  private async readFiles(toRead: Array<{ trial: TrialRecord; values: Record<string, KnobValue> }>, unkept: Map<number, TrialKnobs>): Promise<void> {
    const requests: Array<{ commit: string; path: string }> = [];
    const owners: Array<{ item: (typeof toRead)[number]; file: string }> = [];
    for (const item of toRead) {
      const files = new Set(this.knobs.filter((knob) => item.values[knob.column] === undefined).map((knob) => knob.file));
      for (const file of files) {
        requests.push({ commit: item.trial.commit as string, path: file });
        owners.push({ item, file });
      }
    }
    let read: Array<{ blob: string; text: string } | null>;
    try {
      read = await (this.files as FilesAtCommits)(requests, new Set(this.blobs.keys()));
    } catch {
      // The repo could not be read (moved, locked): leave these trials unread, try again next time.
      for (const { trial, values } of toRead) unkept.set(trial.id, Object.freeze({ ...values }));
      return;
    }
    const again: number[] = [];
    read.forEach((file, index) => {
      const { item, file: path } = owners[index]!;
      if (file === null) return;
      // A known blob comes back without text; it was parsed for another path only when two knob files are identical.
      if (!this.parsedFor(file.blob, path) && file.text === '' && this.blobs.has(file.blob)) again.push(index);
      else this.take(item.values, this.parseBlob(file.blob, file.text, path), path);
    });
    if (again.length > 0) {
      const reread = await (this.files as FilesAtCommits)(again.map((index) => requests[index]!), new Set()).catch(() => again.map(() => null));
      reread.forEach((file, i) => {
        const { item, file: path } = owners[again[i]!]!;
        if (file !== null) this.take(item.values, this.parseBlob(file.blob, file.text, path), path);
      });
    }
    for (const { trial, values } of toRead) this.keep(trial, values);
  }

  private parsedFor(blob: string, path: string): boolean {
    const parsed = this.blobs.get(blob);
    return parsed !== undefined && this.knobs.every((knob) => knob.file !== path || parsed.has(knob.column));
  }

  private take(values: Record<string, KnobValue>, parsed: Map<string, KnobValue | null>, path: string): void {
    for (const knob of this.knobs) {
      if (knob.file !== path || values[knob.column] !== undefined) continue;
      const value = parsed.get(knob.column);
      if (value !== null && value !== undefined) values[knob.column] = value;
    }
  }

  /** The values of the knobs located in `path`, parsed once per blob. */
  private parseBlob(blob: string, text: string, path: string): Map<string, KnobValue | null> {
    let parsed = this.blobs.get(blob);
    if (parsed === undefined) {
      parsed = new Map();
      this.blobs.set(blob, parsed);
    }
    for (const knob of this.knobs) {
      if (knob.file !== path || parsed.has(knob.column)) continue;
      try {
        parsed.set(knob.column, readKnobFromText(text, knob));
      } catch (error) {
        // An edit removed the knob's marker or key: nothing to show for it.
        if (!AutolabError.is(error)) throw error;
        parsed.set(knob.column, null);
      }
    }
    return parsed;
  }
}
