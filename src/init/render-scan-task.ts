/**
 * The task file `autolab init --scan` writes: what was found, as YAML, with a comment on
 * every choice (why this command, why this range, what was left out and why), so the
 * user edits a proposal instead of writing from scratch.
 */
import type { KnobSpec } from '../core/task.ts';
import { formatKnobNumber } from '../specialists/knobs/knob-value.ts';
import type { GuessedCommands } from './guess-commands.ts';

/** A knob proposed from a scan, with where it came from and why its range. */
export interface ScannedKnob {
  knob: KnobSpec;
  /** `train.py, argparse --lr = 0.001`. */
  origin: string;
  why: string;
}

export interface ScanTaskInput {
  name: string;
  commands: GuessedCommands;
  /** The surface's paths (relative). */
  paths: string[];
  protected: string[];
  knobs: ScannedKnob[];
  skipped: Array<{ name: string; origin: string; reason: string }>;
  scanned: string[];
}

const RESERVED = /^(?:y|n|yes|no|on|off|true|false|null|~)$/i;

/** A YAML flow scalar: plain when unambiguous, else JSON-quoted. */
function scalar(value: string | number | boolean): string {
  if (typeof value !== 'string') return String(value);
  return /^[A-Za-z_][\w./-]*$/.test(value) && !RESERVED.test(value) ? value : JSON.stringify(value);
}

function knobLine(knob: KnobSpec): string {
  const parts = [`file: ${scalar(knob.file)}`];
  if (knob.key !== undefined) parts.push(`key: ${scalar(knob.key)}`);
  if (knob.marker !== undefined) parts.push(`marker: ${scalar(knob.marker)}`);
  parts.push(`type: ${knob.type}`);
  const numberType = knob.type === 'int' ? 'int' : 'float';
  if (knob.low !== undefined) parts.push(`low: ${formatKnobNumber(knob.low, numberType)}`);
  if (knob.high !== undefined) parts.push(`high: ${formatKnobNumber(knob.high, numberType)}`);
  if (knob.log) parts.push('log: true');
  if (knob.choices !== undefined) parts.push(`choices: [${knob.choices.map(scalar).join(', ')}]`);
  return `${scalar(knob.name)}: { ${parts.join(', ')} }`;
}

function list(values: readonly string[]): string {
  return `[${values.map(scalar).join(', ')}]`;
}

/**
 * The YAML text of a scanned task file.
 *
 * @example renderScanTask({ name: 'mlp', commands, paths: ['train.py'], protected: ['score.py'], knobs, skipped: [], scanned: ['train.py'] })
 */
export function renderScanTask(input: ScanTaskInput): string {
  const { commands } = input;
  const todo = (found: boolean) => (found ? '' : 'TODO ');
  const out: string[] = [
    `# autolab task file, proposed by \`autolab init --scan ${input.scanned.join(' --scan ')}\`.`,
    '# Every choice below says why in a comment: edit what does not fit your recipe (lines marked',
    '# TODO above all), then check the machine with `autolab doctor` and start with `autolab run`.',
    '# All keys, types and defaults: docs/task-file.md.',
    '',
    `name: ${scalar(input.name)}`,
    'repo: .                    # the recipe: this folder (autolab works on a private copy under .autolab/)',
    'baseline: HEAD             # trial 0 measures this revision unchanged (committed content only, in git)',
    '',
  ];
  if (commands.setup) out.push(`# ${commands.setup.why}`, `setup: ${commands.setup.value}`, '');
  out.push(
    '# What is optimised. The score command prints it as JSON on its last line.',
    'objective:',
    `  metric: ${scalar(commands.metric.value)}    # ${todo(commands.metric.found)}${commands.metric.why}`,
    `  direction: ${commands.direction.value}    # ${todo(commands.direction.found)}${commands.direction.why}`,
    '',
  );
  if (commands.preflight) out.push(`# ${commands.preflight.why}`, `preflight: { command: ${commands.preflight.value}, timeout: 1m }`, '');
  out.push(
    `# ${todo(commands.run.found)}${commands.run.why}. It runs in a copy of the recipe and writes what the score`,
    '# phase reads to $AUTOLAB_ARTIFACTS; $AUTOLAB_SEED and $AUTOLAB_DATA are set for it.',
    'run:',
    `  command: ${commands.run.value}`,
    '  timeout: 10m               # TODO guessed: time one run by hand and set about twice that',
    '',
    `# ${todo(commands.score.found)}${commands.score.why}.`,
    'score:',
    `  command: ${commands.score.value}`,
    '  timeout: 5m',
    '',
    '# Evaluator-owned files: no trial may change them, and setup and score always use the',
    "# baseline's copy (a change on disk after the study began is not used: `autolab run` warns).",
    `protected: ${list(input.protected)}`,
    '',
    '# Constraints every kept trial must meet, e.g. ["accuracy >= 0.9"]. The baseline (your recipe',
    '# unchanged) must pass them too, or the study stops at trial 0 and says what to fix.',
    'gates: []',
    '',
    '# What trials may change: these files, and the knobs found in them.',
    'surfaces:',
    '  recipe:',
    `    paths: ${list(input.paths)}`,
  );
  if (input.knobs.length === 0) out.push('    knobs: {}               # none found: add them by hand (docs/task-file.md#surfaces)');
  else {
    out.push('    knobs:');
    for (const { knob, origin, why } of input.knobs) out.push(`      # ${origin}: ${why}`, `      ${knobLine(knob)}`);
  }
  if (input.skipped.length > 0) {
    out.push('    # Left out (add them by hand if they matter):');
    for (const skipped of input.skipped) out.push(`    #   ${skipped.name} (${skipped.origin}): ${skipped.reason}`);
  }
  out.push(
    '',
    '# The proposers. knobs: searches the knobs above (TPE); add llm or command specialists to edit code',
    '# (docs/specialists.md; `autolab init --specialists` writes a starter team).',
    input.knobs.length > 0 ? 'specialists:\n  - { name: tuner, kind: knobs, surface: recipe }' : 'specialists: []             # TODO: a knobs specialist needs knobs; or add an llm or command specialist',
    '',
    'parallel: 1                  # trials at once',
    'budget: { trials: 30 }       # extend a spent budget with `autolab run --more N`',
  );
  return `${out.join('\n')}\n`;
}
