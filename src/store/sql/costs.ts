/** The cost ledger: each charge to a trial (its proposal's, any later one) is one `costs` row. */
import type { TrialCost } from '../../core/trial.ts';
import type { InsertFromChanged } from './change-with-event.ts';
import type { SqlSession } from './driver.ts';

export async function insertCost(tx: SqlSession, studyId: number, trialId: number, specialist: string, cost: TrialCost, at: string): Promise<void> {
  await tx.all('INSERT INTO costs (study_id, trial_id, specialist, usd, input_tokens, output_tokens, cached_tokens, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
    studyId,
    trialId,
    specialist,
    cost.usd,
    cost.inputTokens,
    cost.outputTokens,
    cost.cachedTokens,
    at,
  ]);
}

/** A charge inserted from the changed trial row in the change's own statement (PostgreSQL: `InsertFromChanged`). */
export function costFromChanged(specialist: string, cost: TrialCost, at: string): InsertFromChanged {
  return {
    sql: 'INSERT INTO costs (study_id, trial_id, specialist, usd, input_tokens, output_tokens, cached_tokens, at) SELECT study_id, id, ?, ?, ?, ?, ?, ? FROM changed',
    params: [specialist, cost.usd, cost.inputTokens, cost.outputTokens, cost.cachedTokens, at],
  };
}
