import { formatNumber } from '../../core/gates.ts';
import { renderLineageMarkdown } from '../../core/lineage-markdown.ts';
import { describeTrialCounts } from '../../core/trial-counts.ts';
import { applyBudgetExtension, type TrialBudget } from '../../engine/budget-extension.ts';
import type { BudgetSpec } from '../../core/task.ts';
import { trialToJson } from '../../core/trial.ts';
import { AutolabError } from '../../core/errors.ts';
import { terminalText } from '../../core/terminal-text.ts';
import { anySpend, SPEND_HEADERS, specialistSpend, spendRows } from '../../specialists/llm/spend.ts';
import { DEFAULT_PAYOFF_WINDOW, specialistPayoffs } from '../../scheduler/payoff.ts';
import { hintCommand, parseTrialId, withStudy, type StudyCommandOptions } from '../context.ts';
import { failuresByCause } from '../../views/failures-by-cause.ts';
import { renderFailureCauses } from './failures.ts';
import { incumbentJson, incumbentReport, renderIncumbentReport } from './best.ts';
import { renderFront } from './front.ts';
import { frontStanding, paretoFrontView, type FrontStanding } from '../../views/pareto-front-view.ts';
import { formatDelta, formatDuration, formatScore, outcomeText, palette, renderTable, useColor } from '../format.ts';
import { ladderField, ladderLines, renderFunnel, studyFunnel, studyLadder } from './ladder-view.ts';
import { costLines, trialCost } from './cost-view.ts';
import { trialFeedback } from '../../views/trial-feedback-view.ts';
import { feedbackMarkdown } from '../../core/trial-feedback.ts';

/** Causes of failure `autolab status` lists (the rest: `autolab failures`). */
const STATUS_CAUSES = 5;

export interface JsonOption {
  json?: boolean;
}

function write(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : text + '\n');
}

/** `autolab status`: where the study stands. */
export async function statusCommand(path: string, options: StudyCommandOptions & JsonOption): Promise<number> {
  return withStudy(path, options, {}, async (study) => {
    const trials = await study.trials();
    const lineage = await study.lineage();
    const bySpecialist = new Map<string, { trials: number; kept: number; failed: number; machineFailed: number; usd: number }>();
    for (const trial of trials) {
      const row = bySpecialist.get(trial.specialist) ?? { trials: 0, kept: 0, failed: 0, machineFailed: 0, usd: 0 };
      if (trial.label === 'infra_error') row.machineFailed++; // the machine's failure, not the specialist's (retried)
      else row.trials++;
      if (trial.status === 'kept') row.kept++;
      if (trial.status === 'failed' && trial.label !== 'infra_error') row.failed++;
      row.usd += trial.cost?.usd ?? 0;
      bySpecialist.set(trial.specialist, row);
    }
    const running = trials.filter((trial) => trial.status === 'running' || trial.status === 'pending');
    const spend = specialistSpend(trials, await study.store.listEvents(study.record.id));
    const payoffs = specialistPayoffs(trials, study.task.objective);
    const trialBudget = await applyBudgetExtension(study.store, study.record.id, study.task.budget);
    const front = paretoFrontView(study.task, trials);
    const causes = failuresByCause(trials);
    const funnel = await studyFunnel(study, trials);
    const budget = { ...study.task.budget, ...(trialBudget.file !== undefined ? { fileTrials: trialBudget.file, extraTrials: trialBudget.extra } : {}) };
    if (options.json) {
      write(JSON.stringify({ study: study.name, objective: study.task.objective, ...(front ? { objectives: study.task.objectives, front } : {}), baseline: lineage.baseline, incumbent: lineage.incumbent, counts: lineage.counts, budget, running: running.map((trial) => trial.id), specialists: Object.fromEntries(bySpecialist), spend: Object.fromEntries(spend), payoffs, failures: causes.map(({ trials: _ids, ...cause }) => cause), ...(funnel ? { fidelity: funnel } : {}), elapsedMs: study.record.elapsedMs }, null, 2));
      return 0;
    }
    const c = palette(useColor(process.stdout));
    const { objective } = study.task;
    write(c.bold(`study '${study.name}'`) + ` · ${objective.direction} ${objective.metric} · driven for ${formatDuration(study.record.elapsedMs)}`);
    write(`baseline #0: ${formatScore(lineage.baseline.score)}${lineage.baseline.noise !== undefined ? ` (noise σ ${formatNumber(lineage.baseline.noise)} over ${lineage.baseline.repeats} repeats)` : ''} · incumbent #${lineage.incumbent.id}: ${formatScore(lineage.incumbent.score)} (${formatDelta(lineage.incumbent.deltaVsBaseline)} vs baseline)`);
    write(`trials: ${describeTrialCounts(lineage.counts)}`);
    if (front) write(renderFront(front));
    if (funnel) write(renderFunnel(funnel));
    // budget.trials counts what the driver counts: trials the machine failed are replaced by their retry.
    const counted = trials.filter((trial) => trial.id !== 0 && trial.label !== 'infra_error').length;
    const budgetText = describeBudget(study.task.budget, trialBudget, counted, study.record.elapsedMs);
    if (budgetText) write(`budget: ${budgetText}`);
    write('');
    // The payoff table: what each specialist's trials paid off (the bandit scheduler's view).
    const declared = study.task.specialists.map((spec) => spec.name).filter((name) => !payoffs.rows.some((row) => row.specialist === name));
    const payoffRows = [
      ...payoffs.rows.map((row) => [
        row.specialist,
        String(row.trials + row.inFlight),
        String(row.kept),
        String(row.failed),
        row.share === null ? '—' : `${(row.share * 100).toFixed(0)}%`,
        row.uses === 0 ? '—' : row.payoff.toFixed(2),
        `$${row.costUsd.toFixed(2)}`,
        formatDuration(row.computeMs),
      ]),
      ...declared.map((name) => [name, '0', '0', '0', '—', '—', '$0.00', '—']),
    ];
    write(renderTable(['specialist', 'trials', 'kept', 'failed', 'share of improvement', 'payoff', 'cost', 'compute'], payoffRows));
    write(c.dim(`payoff: AUC of "kept" over each specialist's results among the last ${DEFAULT_PAYOFF_WINDOW} (later successes weigh more); the bandit scheduler adds an exploration bonus`));
    if (causes.length > 0) {
      write('');
      write(c.bold('failures by cause'));
      write(renderFailureCauses(causes.slice(0, STATUS_CAUSES), c));
      if (causes.length > STATUS_CAUSES) write(c.dim(`… ${causes.length - STATUS_CAUSES} more causes: ${hintCommand(options, 'failures')}`));
      else write(c.dim(`each cause with its trials: ${hintCommand(options, 'failures')}`));
    }
    if (anySpend(spend)) {
      write('');
      write(renderTable(SPEND_HEADERS, spendRows(spend)));
      write(c.dim(`model spend: trials' costs plus sessions that ended without a proposal${study.task.budget.usd !== undefined ? ` · budget $${study.task.budget.usd}` : ''}`));
    }
    return 0;
  });
}

/** `24 of 34 trials (24 in the task file + 10 from run --more) · 1.2 of 8 hours`, or '' without any budget. */
function describeBudget(budget: BudgetSpec, trials: TrialBudget, used: number, elapsedMs: number): string {
  const parts: string[] = [];
  if (trials.effective !== undefined) parts.push(`${used} of ${trials.effective} trials${trials.extra > 0 ? ` (${trials.file} in the task file + ${trials.extra} from \`run --more\`)` : ''}`);
  if (budget.hours !== undefined) parts.push(`${(elapsedMs / 3_600_000).toFixed(2)} of ${budget.hours} hours`);
  if (budget.patience !== undefined) parts.push(`patience ${budget.patience}`);
  if (budget.usd !== undefined) parts.push(`$${budget.usd} on models`);
  return parts.join(' · ');
}

export { trialsCommand, type TrialsOptions } from './trials.ts';

/** `autolab show TRIAL`: everything recorded about one trial. */
export async function showCommand(id: string, options: StudyCommandOptions & JsonOption & { path?: string }): Promise<number> {
  return withStudy(options.path ?? '.', options, {}, async (study) => {
    const trial = await study.trial(parseTrialId(id));
    const trials = await study.trials();
    const ladder = await studyLadder(study, trials);
    const frontView = paretoFrontView(study.task, trials);
    const front = frontView ? frontStanding(frontView, study.task, trial) : null;
    const feedback = await trialFeedback(study.store, study.record.id, trial.id);
    const cost = await trialCost(study, trial);
    if (options.json) {
      write(JSON.stringify({ ...trialToJson(trial), ...ladderField(study, ladder, trial.id), ...(front ? { front } : {}), cost, diff: trial.diff, logExcerpt: trial.logExcerpt, tree: trial.tree, repeats: trial.repeats, curve: trial.curve, feedback }, null, 2));
      return 0;
    }
    const c = palette(useColor(process.stdout));
    const parent = trial.parent === null ? null : await study.store.getTrial(study.record.id, trial.parent);
    const children = trials.filter((other) => other.parent === trial.id).map((other) => `#${other.id}`);
    write(c.bold(`trial #${trial.id}`) + ` [${trial.specialist}] ${outcomeText(trial, c)}`);
    if (front) write(`front: ${describeStanding(front)}`);
    // Hypotheses, notes, details, excerpts and diffs come from models and trials: no terminal control reaches the screen.
    write(`hypothesis: ${terminalText(trial.hypothesis)}`);
    if (trial.notes) write(`notes: ${terminalText(trial.notes)}`);
    write(`parent: ${parent ? `#${parent.id} (${formatScore(parent.score)})` : '—'} · children: ${children.join(' ') || '—'}`);
    write(`commit: ${trial.commit ?? '—'} · seed ${trial.seed}`);
    write(`score: ${formatScore(trial.score)}${parent?.score != null && trial.score !== null ? ` (${formatDelta(trial.score - parent.score)} vs parent)` : ''}`);
    if (trial.label) write(`label: ${c.red(trial.label)}\n${indent(terminalText(trial.labelDetail ?? ''))}`);
    if (trial.failure) {
      write(`cause: ${terminalText(trial.failure.summary)}`);
      write(c.dim(`signature: ${terminalText(trial.failure.signature)}`));
    }
    for (const line of ladderLines(study, ladder?.trials.get(trial.id), ladder?.fit ?? null)) write(line);
    for (const line of costLines(cost)) write(line);
    const metrics = Object.entries(trial.metrics);
    if (metrics.length > 0) write('metrics:\n' + metrics.map(([name, value]) => `  ${name}: ${formatNumber(value)}`).join('\n'));
    if (trial.repeats.length > 1) {
      const metric = study.task.objective.metric;
      const values = trial.repeats.map((repeat) => `seed ${repeat.seed}${repeat.verification ? ' (verify)' : ''}: ${formatNumber(repeat.metrics[metric] ?? Number.NaN)}`);
      write(`repeats (${trial.repeats.length}): ${values.join(' · ')}`);
    }
    if (trial.metrics.p_value !== undefined) {
      const m = trial.metrics;
      write(
        `evidence: p = ${formatNumber(m.p_value!)} on ${m.n} repeats vs ${m.incumbent_n} of the incumbent (mean ${formatNumber(m.incumbent_mean ?? Number.NaN)})` +
          (m.verify_p_value !== undefined ? `; verification p = ${formatNumber(m.verify_p_value)} on ${m.verify_n} fresh repeats` : ''),
      );
    }
    if (trial.curve.length > 0) {
      const names = [...new Set(trial.curve.map((point) => point.name))];
      const summary = names.map((name) => {
        const points = trial.curve.filter((point) => point.name === name && point.repeat === 0);
        const last = points.at(-1);
        return `${name}: ${points.length} points, last ${last ? `${formatNumber(last.value)} at step ${last.step}` : '—'}`;
      });
      write(`learning curve: ${summary.join(' · ')}`);
    }
    const t = trial.timings;
    write(`timings: total ${formatDuration(t.totalMs)} · materialise ${formatDuration(t.materialiseMs)} · legality ${formatDuration(t.legalityMs)} · preflight ${formatDuration(t.preflightMs)} · run ${formatDuration(t.runMs)} · score ${formatDuration(t.scoreMs)}`);
    if (trial.cost) write(`cost: $${trial.cost.usd.toFixed(4)} (${trial.cost.inputTokens} in, ${trial.cost.outputTokens} out, ${trial.cost.cachedTokens} cached tokens)`);
    if (trial.logExcerpt) write('log excerpt:\n' + indent(terminalText(trial.logExcerpt)));
    // What the run left beyond its score (the task's `feedback:`), as the specialists saw it.
    if (feedback) write(terminalText(feedbackMarkdown(trial.id, feedback).replace(/^### /, '')));
    write(`logs: ${study.paths.trial(trial.id)}`);
    write(trial.diff ? 'diff:\n' + terminalText(trial.diff) : 'diff: (none)');
    return 0;
  });
}

/** One line on where a trial stands against the front of a multi-objective study. */
function describeStanding(standing: FrontStanding): string {
  if (standing.recommended) return 'member, the recommended trade-off';
  if (standing.member) return 'member';
  return standing.dominatedBy !== null ? `not a member (dominated by #${standing.dominatedBy})` : 'not a member';
}

function indent(text: string): string {
  return text.split('\n').map((line) => '  ' + line).join('\n');
}

/** `autolab best`: the incumbent, its whole configuration and cumulative diff against the baseline. */
export async function bestCommand(path: string, options: StudyCommandOptions & JsonOption): Promise<number> {
  return withStudy(path, options, {}, async (study) => {
    // A multi-objective study: the front, and the member its preference recommends in full.
    const front = study.task.objectives ? paretoFrontView(study.task, await study.trials()) : null;
    const incumbent = front?.recommended != null ? await study.store.getTrial(study.record.id, front.recommended) : await study.incumbent();
    if (!incumbent) throw new AutolabError('NotFound', `study '${study.name}' has no scored trial yet`, { hint: `run \`${hintCommand(options, 'run')}\` first` });
    const report = await incumbentReport(study, incumbent);
    if (options.json) {
      write(JSON.stringify({ ...incumbentJson(report), ...(front ? { front } : {}) }, null, 2));
      return 0;
    }
    if (front) write(`${renderFront(front)}\n\nthe recommended trade-off (preference: ${front.preference ? JSON.stringify(front.preference) : 'equal weights'}); any member exports with \`${hintCommand(options, 'export', ['N'], ['--patch', 'best.patch'])}\`\n`);
    write(renderIncumbentReport(report, study.task.objective.metric, hintCommand(options, 'export', [String(incumbent.id)], ['--patch', 'best.patch'])));
    return 0;
  });
}

/** `autolab lineage`: the lineage feedback exactly as a specialist would see it. */
export async function lineageCommand(path: string, options: StudyCommandOptions & JsonOption & { specialist?: string; lineage?: boolean }): Promise<number> {
  return withStudy(path, options, {}, async (study) => {
    const feedback = await study.lineage({ ...(options.specialist ? { viewer: options.specialist } : {}), controlArm: options.lineage === false });
    write(options.json ? JSON.stringify(feedback, null, 2) : terminalText(renderLineageMarkdown(feedback)));
    return 0;
  });
}
