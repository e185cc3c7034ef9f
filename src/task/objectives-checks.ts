/**
 * Checks of `objective`, `objectives` and `preference` together (on the raw YAML data,
 * as every semantic check): something to optimise, at least two distinct objectives,
 * `objective` among them when both are given, a preference over their metrics.
 */
import { closestMatch } from '../core/suggest.ts';
import type { TaskFileIssue } from './task-file-issue.ts';

type Raw = Record<string, unknown>;

function isRecord(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The one issue of a whole task file that names neither `objective` nor `objectives`
 * (checked when a file loads; `semanticIssues` also sees fragments of task files).
 */
export function objectiveRequiredIssues(raw: unknown): TaskFileIssue[] {
  if (!isRecord(raw)) return [];
  const has = (key: string) => raw[key] !== undefined && raw[key] !== null;
  if (has('objective') || has('objectives')) return [];
  return [{ path: ['objective'], message: 'required: what to optimise, e.g. objective: { metric: val_loss, direction: minimize } (or objectives: [...] for several)' }];
}

/** The issues of the objectives of a raw task file. */
export function objectivesIssues(raw: Raw): TaskFileIssue[] {
  const issues: TaskFileIssue[] = [];
  const entries = Array.isArray(raw.objectives) ? raw.objectives.filter(isRecord) : [];
  const metrics = entries.map((entry) => entry.metric).filter((metric): metric is string => typeof metric === 'string');
  if (Array.isArray(raw.objectives)) {
    if (raw.objectives.length < 2) {
      issues.push({ path: ['objectives'], message: 'objectives needs at least two metrics; for one, write objective: { metric: ..., direction: ... }' });
    }
    metrics.forEach((metric, index) => {
      if (metrics.indexOf(metric) !== index) issues.push({ path: ['objectives', index, 'metric'], message: `metric ${metric} is listed twice` });
    });
    if (isRecord(raw.objective) && typeof raw.objective.metric === 'string') {
      const primaryMetric = raw.objective.metric;
      const primary = entries.find((entry) => entry.metric === primaryMetric);
      if (!primary) {
        issues.push({ path: ['objective', 'metric'], message: `objective (the primary one) must be one of objectives: ${metrics.join(', ')}` });
      } else if (primary.direction !== raw.objective.direction) {
        issues.push({ path: ['objective', 'direction'], message: `objective ${String(primary.metric)} is ${String(primary.direction)} in objectives` });
      }
    }
  }
  if (isRecord(raw.preference)) {
    if (!Array.isArray(raw.objectives)) {
      issues.push({ path: ['preference'], message: 'preference chooses among a front: it needs objectives: [...]' });
    } else {
      for (const key of ['weights', 'target'] as const) {
        const values = raw.preference[key];
        if (!isRecord(values)) continue;
        for (const name of Object.keys(values)) {
          if (metrics.includes(name)) continue;
          const suggestion = closestMatch(name, metrics);
          issues.push({ path: ['preference', key, name], message: `${name} is not one of the objectives (${metrics.join(', ')})${suggestion ? `; did you mean ${suggestion}?` : ''}` });
        }
        if (key === 'weights' && Object.values(values).every((weight) => weight === 0)) {
          issues.push({ path: ['preference', 'weights'], message: 'at least one weight must be above 0' });
        }
      }
    }
  }
  return issues;
}
