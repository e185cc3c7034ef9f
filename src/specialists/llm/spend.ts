/**
 * What each specialist spent on models across a study: the costs of its trials plus
 * sessions that proposed nothing (`proposal.none` events) and proposals dropped when
 * the study stopped (`proposal.dropped`). `autolab status` shows it.
 */
import type { StudyEvent } from '../../core/store.ts';
import type { TrialCost, TrialRecord } from '../../core/trial.ts';

export interface SpecialistSpend {
  usd: number;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  /** Proposals that became trials. */
  proposals: number;
  /** Sessions that ended without a proposal. */
  sessionsWithoutProposal: number;
  /** Proposals made but dropped when the study stopped. */
  dropped: number;
}

/**
 * Spend per specialist, from a study's trials and audit events.
 *
 * @example const spend = specialistSpend(await study.trials(), await study.store.listEvents(study.record.id));
 */
export function specialistSpend(trials: readonly TrialRecord[], events: readonly StudyEvent[]): Map<string, SpecialistSpend> {
  const spend = new Map<string, SpecialistSpend>();
  const rowOf = (name: string): SpecialistSpend => {
    let row = spend.get(name);
    if (!row) spend.set(name, (row = { usd: 0, inputTokens: 0, outputTokens: 0, cachedTokens: 0, proposals: 0, sessionsWithoutProposal: 0, dropped: 0 }));
    return row;
  };
  const add = (row: SpecialistSpend, cost: TrialCost | null) => {
    if (!cost) return;
    row.usd += cost.usd;
    row.inputTokens += cost.inputTokens;
    row.outputTokens += cost.outputTokens;
    row.cachedTokens += cost.cachedTokens;
  };
  for (const trial of trials) {
    if (trial.id === 0) continue;
    const row = rowOf(trial.specialist);
    row.proposals++;
    add(row, trial.cost);
  }
  for (const event of events) {
    if (event.type !== 'proposal.none' && event.type !== 'proposal.dropped') continue;
    const row = rowOf(event.data.specialist);
    if (event.type === 'proposal.none') row.sessionsWithoutProposal++;
    else row.dropped++;
    add(row, event.data.cost);
  }
  return spend;
}

/** Whether any specialist spent tokens (the spend table is worth showing). */
export function anySpend(spend: ReadonlyMap<string, SpecialistSpend>): boolean {
  return [...spend.values()].some((row) => row.inputTokens + row.outputTokens > 0 || row.usd > 0 || row.sessionsWithoutProposal > 0);
}

/** Rows for a table: specialist, proposals, sessions without a proposal, tokens in/out/cached, USD. */
export function spendRows(spend: ReadonlyMap<string, SpecialistSpend>): string[][] {
  return [...spend].map(([name, row]) => [
    name,
    String(row.proposals),
    String(row.sessionsWithoutProposal + row.dropped),
    row.inputTokens.toLocaleString('en-US'),
    row.outputTokens.toLocaleString('en-US'),
    row.cachedTokens.toLocaleString('en-US'),
    `$${row.usd.toFixed(2)}`,
  ]);
}

export const SPEND_HEADERS = ['specialist', 'proposals', 'no proposal', 'tokens in', 'tokens out', 'cached', 'model cost'];
