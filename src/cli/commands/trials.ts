/**
 * `autolab trials`: the table of trials, one page by default (the newest `--limit`,
 * 50 unless given), read from the store as a page; `--all` streams every trial in pages
 * of 500, so a study of 100,000 trials never sits in memory at once.
 */
import { countTrials as countTrialRecords, describeTrialCounts, type TrialCounts } from '../../core/trial-counts.ts';
import type { TrialFilter } from '../../core/store.ts';
import { FAILURE_LABELS, trialToJson, type TrialRecord, type TrialStatus } from '../../core/trial.ts';
import { AutolabError } from '../../core/errors.ts';
import type { Study } from '../../engine/study.ts';
import { withStudy, type StudyCommandOptions } from '../context.ts';
import { ladderField, studyLadder } from './ladder-view.ts';
import { formatDelta, formatDuration, formatScore, oneLine, outcomeWithCause, palette, renderTable, useColor } from '../format.ts';

export interface TrialsOptions extends StudyCommandOptions {
  json?: boolean;
  status?: string;
  specialist?: string;
  label?: string;
  /** Trials per page (default 50): the newest ones. */
  limit?: number;
  /** Every trial, streamed in pages. */
  all?: boolean;
}

const TRIAL_STATUSES: readonly TrialStatus[] = ['pending', 'running', 'kept', 'discarded', 'failed'];

/** The default page: the newest 50 trials. */
export const TRIALS_PAGE = 50;
/** Trials per read when streaming `--all`. */
const STREAM_PAGE = 500;

function write(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : text + '\n');
}

function storeFilter(options: TrialsOptions): Pick<TrialFilter, 'status' | 'specialist'> {
  const filter: Pick<TrialFilter, 'status' | 'specialist'> = {};
  if (options.status) {
    const statuses = options.status.split(',').map((status) => status.trim());
    const unknown = statuses.filter((status) => !(TRIAL_STATUSES as readonly string[]).includes(status));
    if (unknown.length > 0) throw new AutolabError('UsageError', `unknown status '${unknown[0]}'`, { hint: `statuses: ${TRIAL_STATUSES.join(', ')}` });
    filter.status = statuses as TrialStatus[];
  }
  if (options.specialist) filter.specialist = options.specialist;
  return filter;
}

/** The newest `limit` trials matching the filter and label, in id order. */
async function newestPage(study: Study, filter: Pick<TrialFilter, 'status' | 'specialist'>, label: string | undefined, limit: number): Promise<TrialRecord[]> {
  if (label === undefined) return (await study.trials({ ...filter, descending: true, limit })).reverse();
  // No label index: stream the matches, keeping only the newest `limit`.
  const newest: TrialRecord[] = [];
  for await (const page of everyTrial(study, filter, label)) {
    newest.push(...page);
    if (newest.length > limit) newest.splice(0, newest.length - limit);
  }
  return newest;
}

/** `into` plus `more` (counts of two sets of trials). */
function addCounts(into: TrialCounts, more: TrialCounts): void {
  into.total += more.total;
  into.kept += more.kept;
  into.discarded += more.discarded;
  into.failed += more.failed;
  into.running += more.running;
  for (const [label, n] of Object.entries(more.byLabel) as Array<[keyof TrialCounts['byLabel'], number]>) into.byLabel[label] = (into.byLabel[label] ?? 0) + n;
}

/** Every trial matching, oldest first, a page at a time. */
async function* everyTrial(study: Study, filter: Pick<TrialFilter, 'status' | 'specialist'>, label: string | undefined): AsyncGenerator<TrialRecord[]> {
  for (let after = -1; ; ) {
    const page = await study.trials({ ...filter, afterId: after, limit: STREAM_PAGE });
    if (page.length === 0) return;
    yield label === undefined ? page : page.filter((trial) => trial.label === label);
    after = page.at(-1)!.id;
  }
}

/** The study's counts from the store's counts (no row read): labels only when every trial was read. */
async function studyCounts(study: Study): Promise<TrialCounts> {
  const count = (status: TrialStatus[]) => study.store.countTrials(study.record.id, { status });
  const [kept, discarded, failed, running, baseline] = await Promise.all([count(['kept']), count(['discarded']), count(['failed']), count(['pending', 'running']), study.store.getTrial(study.record.id, 0)]);
  const counts: TrialCounts = { total: kept + discarded + failed + running, kept, discarded, failed, running, byLabel: {} };
  if (baseline !== null) {
    // The baseline is not counted (countTrials' rule).
    const own = countTrialRecords([{ ...baseline, id: 1 }]);
    counts.total -= own.total;
    counts.kept -= own.kept;
    counts.discarded -= own.discarded;
    counts.failed -= own.failed;
    counts.running -= own.running;
  }
  return counts;
}

/** `autolab trials`: the newest page of trials (`--all`: every one, streamed; `--json` for tools). */
export async function trialsCommand(path: string, options: TrialsOptions): Promise<number> {
  if (options.label !== undefined && !(FAILURE_LABELS as readonly string[]).includes(options.label)) {
    throw new AutolabError('UsageError', `unknown failure label '${options.label}'`, { hint: `labels: ${FAILURE_LABELS.join(', ')}` });
  }
  return withStudy(path, options, {}, async (study) => {
    const filter = storeFilter(options);
    const c = palette(useColor(process.stdout));
    const parentsOf = async (trials: readonly TrialRecord[]) => {
      const ids = [...new Set(trials.map((trial) => trial.parent).filter((id): id is number => id !== null))];
      return new Map((await study.trials({ ids })).map((trial) => [trial.id, trial]));
    };
    const rowsOf = async (trials: readonly TrialRecord[]) => {
      const parents = await parentsOf(trials);
      return trials.map((trial) => {
        const parent = trial.parent === null ? undefined : parents.get(trial.parent);
        const delta = trial.score !== null && parent?.score != null ? trial.score - parent.score : null;
        return [`#${trial.id}`, trial.parent === null ? '—' : `#${trial.parent}`, trial.specialist, outcomeWithCause(trial, c, 80), formatScore(trial.score), formatDelta(delta), formatDuration(trial.timings.totalMs), oneLine(trial.hypothesis, 60)];
      });
    };
    const headers = ['trial', 'parent', 'specialist', 'outcome', study.task.objective.metric, 'Δ parent', 'time', 'hypothesis'];
    if (options.all) {
      let shown = 0;
      const counted: TrialCounts = { total: 0, kept: 0, discarded: 0, failed: 0, running: 0, byLabel: {} };
      if (options.json) write('[');
      for await (const page of everyTrial(study, filter, options.label)) {
        if (options.json) {
          const ladder = await studyLadder(study, page);
          for (const trial of page) write(`${shown++ === 0 ? '' : ','}${JSON.stringify({ ...trialToJson(trial), ...ladderField(study, ladder, trial.id) })}`);
        } else if (page.length > 0) {
          write(renderTable(headers, await rowsOf(page)));
          shown += page.length;
        }
        addCounts(counted, countTrialRecords(page));
      }
      if (options.json) {
        write(']');
        return 0;
      }
      write(c.dim(`${shown} shown · study: ${describeTrialCounts(options.status || options.specialist || options.label ? await studyCounts(study) : counted)}`));
      return 0;
    }
    const limit = options.limit ?? TRIALS_PAGE;
    const trials = limit === 0 ? [] : await newestPage(study, filter, options.label, limit);
    if (options.json) {
      const ladder = await studyLadder(study, trials);
      write(JSON.stringify(trials.map((trial) => ({ ...trialToJson(trial), ...ladderField(study, ladder, trial.id) })), null, 2));
      return 0;
    }
    write(renderTable(headers, await rowsOf(trials)));
    const counts = await studyCounts(study);
    const more = counts.total + 1 > trials.length ? ` (the newest ${trials.length}; --limit N for more, --all for every trial)` : '';
    write(c.dim(`${trials.length} shown${more} · study: ${describeTrialCounts(counts)}`));
    return 0;
  });
}
