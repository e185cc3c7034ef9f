/**
 * The front of a multi-objective study in the terminal: one row per front member with
 * its objective values, the recommended one marked, and the hypervolume against the
 * reference point (`status` and `best`).
 */
import { formatNumber } from '../../core/gates.ts';
import type { ParetoFrontView } from '../../views/pareto-front-view.ts';
import { oneLine, renderTable } from '../format.ts';

/** The front as a table with a heading line. */
export function renderFront(view: ParetoFrontView): string {
  const metrics = view.objectives.map((objective) => objective.metric);
  const heading = `front: ${view.members.length} trial${view.members.length === 1 ? '' : 's'} · hypervolume ${formatNumber(view.hypervolume)} against (${metrics.map((metric) => `${metric} ${formatNumber(view.reference[metric]!)}`).join(', ')})${view.recommended !== null ? ` · recommended #${view.recommended}` : ''}`;
  const rows = view.members.map((member) => [
    `${member.id === view.recommended ? '★' : ' '} #${member.id}`,
    ...metrics.map((metric) => formatNumber(member.values[metric]!)),
    member.specialist,
    oneLine(member.hypothesis, 60),
  ]);
  const headers = ['trial', ...view.objectives.map((objective) => `${objective.metric} (${objective.direction === 'minimize' ? 'min' : 'max'})`), 'specialist', 'hypothesis'];
  return `${heading}\n${renderTable(headers, rows)}`;
}
