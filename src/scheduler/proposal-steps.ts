/**
 * Asking specialists for proposals while trials run: each free specialist at most once
 * at a time, the chooser deciding who is next, proposals made ahead waiting for slots.
 */
import { parentNoteLine, type ParentChoice } from '../core/parent-strategy.ts';
import { coerceError } from '../core/errors.ts';
import type { SessionReport, Specialist } from '../core/specialist.ts';
import type { Proposal } from '../core/trial.ts';
import { addSpend, mayRequestProposal, NOTHING_TO_PROPOSE, stopWith } from './driver-state.ts';
import type { Driver } from './driver.ts';
import { buildProposalContext } from './proposal-context.ts';
import { archiveSession } from './session-archiving.ts';

/** Asks free specialists (the chooser's picks) for proposals while there is room for more. */
export function requestProposals(driver: Driver): void {
  const { state, runtime } = driver;
  const capacity = { parallel: runtime.task.parallel, maxWaiting: driver.maxWaiting };
  while (mayRequestProposal(state, runtime.task.budget, driver.options, capacity)) {
    const free = driver.specialists.filter((specialist) => !state.proposing.has(specialist.spec.name));
    const next = driver.chooser.next(free);
    if (!next) break;
    void propose(driver, next);
  }
}

/**
 * One specialist's proposal: its session's cost and warnings noted, the proposal queued
 * to wait for a slot (or dropped when the driver is stopping), an empty or failed
 * session marked idle. Never throws.
 */
export async function propose(driver: Driver, specialist: Specialist): Promise<void> {
  const name = specialist.spec.name;
  driver.state.proposing.add(name);
  try {
    // Let timers, I/O and signals run between proposals (a specialist may answer at once).
    await new Promise((resolve) => setImmediate(resolve));
    const context = await buildProposalContext(driver.runtime, specialist, { workspace: driver.workspace, lineageIndex: driver.lineageIndex, random: driver.random, signal: driver.proposalAbort.signal, noLineage: driver.options.noLineage ?? false });
    const t0 = performance.now();
    const proposal = await specialist.propose(context).catch(async (error: unknown) => {
      const report = takeSessionReport(specialist);
      await archiveSession(driver.runtime, name, report);
      await noteSession(driver, name, report, false);
      throw error;
    });
    const proposeMs = Math.round(performance.now() - t0);
    const report = takeSessionReport(specialist);
    const sessionId = await archiveSession(driver.runtime, name, report);
    await noteSession(driver, name, report, proposal !== null);
    await takeProposal(driver, name, withParentNote(proposal, context.parentChoice), proposeMs, report !== null, sessionId);
  } catch (error) {
    if (!driver.proposalAbort.signal.aborted) {
      driver.runtime.events.emit('warning', { code: 'specialist_failed', message: `specialist '${name}' failed to propose: ${coerceError(error).message}` });
    }
    if (driver.chooser.markIdle(name, true)) stopWith(driver.state, NOTHING_TO_PROPOSE);
  } finally {
    driver.state.proposing.delete(name);
    driver.wakeup.wake();
  }
}

/** Queues a proposal for a slot, drops it when the driver is stopping, or marks an empty session idle. */
async function takeProposal(driver: Driver, name: string, proposal: Proposal | null, proposeMs: number, hadSession: boolean, sessionId: string | null): Promise<void> {
  const { state } = driver;
  addSpend(state, proposal?.cost?.usd ?? 0);
  if (proposal === null) {
    // A model's session that ended empty may go differently next time; a search with nothing left will not.
    if (driver.chooser.markIdle(name, hadSession)) stopWith(state, NOTHING_TO_PROPOSE);
  } else if (state.stopReason !== null) {
    await dropProposal(driver, { ...proposal, specialist: name }, state.stopReason);
  } else {
    driver.chooser.markProductive(name);
    state.waiting.push({ proposal: { ...proposal, specialist: proposal.specialist || name }, proposeMs, ...(sessionId !== null ? { sessionId } : {}) });
  }
}

/** Records in the audit log a proposal that will never run (and what it cost). */
export async function dropProposal(driver: Driver, proposal: Proposal, reason: string | null): Promise<void> {
  const { store, studyId } = driver.runtime;
  await store.appendEvent(studyId, null, 'proposal.dropped', { specialist: proposal.specialist, hypothesis: proposal.hypothesis, cost: proposal.cost ?? null, reason }).catch(() => undefined);
}

/** Records what a session that made no proposal spent and why it ended; passes its warnings on. */
async function noteSession(driver: Driver, name: string, report: SessionReport | null, proposed: boolean): Promise<void> {
  if (!report) return;
  for (const warning of report.warnings) driver.runtime.events.emit('warning', warning);
  if (proposed) return; // the cost travels with the proposal
  addSpend(driver.state, report.cost.usd);
  if (report.outcome !== 'submitted' && !driver.proposalAbort.signal.aborted) {
    driver.runtime.events.emit('warning', { code: 'specialist_no_proposal', message: `specialist '${name}' ended its session without a proposal: ${report.reason}` });
  }
  const { store, studyId } = driver.runtime;
  await store
    .appendEvent(studyId, null, 'proposal.none', { specialist: name, outcome: report.outcome, reason: report.reason, cost: report.cost, steps: report.steps, toolCalls: report.toolCalls, retries: report.retries })
    .catch(() => undefined);
}

/** The report of a specialist's last session, for specialists that keep one (llm, command). */
function takeSessionReport(specialist: Specialist): SessionReport | null {
  return specialist.takeSessionReport?.() ?? null;
}

/** A proposal built on the parent its strategy chose carries that choice in its notes (islands read their members back from them). */
function withParentNote(proposal: Proposal | null, choice: ParentChoice | undefined): Proposal | null {
  if (proposal === null || choice === undefined || proposal.parent !== choice.trial.id) return proposal;
  const line = parentNoteLine(choice);
  return { ...proposal, notes: proposal.notes ? `${proposal.notes}\n${line}` : line };
}
