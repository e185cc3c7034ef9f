/**
 * The studies a dashboard serves from one store: each study's source and snapshot,
 * loaded on first use and refreshed from the audit log (on every API request, and every
 * `pollMs` while someone listens for live events).
 */
import { AutolabError } from '../core/errors.ts';
import type { Store } from '../core/store.ts';
import type { StudyRecord } from '../core/study.ts';
import { StudySnapshot } from '../views/study-snapshot.ts';
import { StudyAnalysis } from './study-analysis.ts';
import { StudySource } from './study-source.ts';

export interface StudyEntry {
  source: StudySource;
  snapshot: StudySnapshot;
  /** Knob values per trial and the views built on them. */
  analysis: StudyAnalysis;
}

export interface StudyHubOptions {
  /** The task folder when serving a task file (its logs and workspace); else each study's recorded one. */
  root?: string | null;
  /** How often studies with live listeners are polled (default 500 ms). */
  pollMs?: number;
}

export class StudyHub {
  private readonly entries = new Map<string, Promise<StudyEntry>>();
  /** The entries whose snapshot finished loading. */
  private readonly ready = new Map<string, StudyEntry>();
  private readonly timer: NodeJS.Timeout;
  private closed = false;

  constructor(
    readonly store: Store,
    private readonly options: StudyHubOptions = {},
  ) {
    this.timer = setInterval(() => void this.poll(), options.pollMs ?? 500);
    this.timer.unref();
  }

  /** Every study in the store, oldest first. */
  listStudies(): Promise<StudyRecord[]> {
    return this.store.listStudies();
  }

  /** The loaded entry of `name` (a NotFound error when there is no such study), refreshed. */
  async study(name: string): Promise<StudyEntry> {
    let entry = this.entries.get(name);
    if (!entry) {
      entry = this.load(name);
      this.entries.set(name, entry);
      entry.then((loaded) => this.ready.set(name, loaded)).catch(() => this.entries.delete(name));
    }
    const loaded = await entry;
    await loaded.snapshot.refresh();
    return loaded;
  }

  /** The entry of `name` if its snapshot finished loading (null while it loads), without waiting or reading the store. */
  loadedNow(name: string): StudyEntry | null {
    return this.ready.get(name) ?? null;
  }

  /** The entry of `name` if it was loaded already (no store access). */
  async loaded(name: string): Promise<StudyEntry | null> {
    const entry = this.entries.get(name);
    return entry ? entry.catch(() => null) : null;
  }

  private async load(name: string): Promise<StudyEntry> {
    const record = await this.store.getStudy(name);
    if (!record) throw new AutolabError('NotFound', `there is no study named '${name}' in this store`, { hint: 'the studies list is at /api/studies' });
    const snapshot = await StudySnapshot.load(this.store, record, { light: true });
    const source = new StudySource(record, this.options.root ?? null);
    return { source, snapshot, analysis: new StudyAnalysis(source, snapshot) };
  }

  private polling = false;

  private async poll(): Promise<void> {
    if (this.polling || this.closed) return;
    this.polling = true;
    try {
      for (const entry of this.entries.values()) {
        const loaded = await entry.catch(() => null);
        if (loaded && loaded.snapshot.subscribers > 0) await loaded.snapshot.refresh().catch(() => undefined);
      }
    } finally {
      this.polling = false;
    }
  }

  /** Stops polling. The caller closes the store. */
  close(): void {
    this.closed = true;
    clearInterval(this.timer);
  }
}
