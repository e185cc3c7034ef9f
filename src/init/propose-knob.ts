/**
 * From a found parameter to a proposed knob: its type, a sensible range (log scale for
 * rates and sizes that span decades) or choices, and the reason in words, which the
 * task file carries as a comment so the user can judge and edit each choice. Parameters
 * that are not worth searching (seeds, paths, logging, devices) are left out, with why.
 */
import type { KnobSpec } from '../core/task.ts';
import { formatKnobNumber } from '../specialists/knobs/knob-value.ts';
import type { FoundParameter } from './found-parameter.ts';
import { looksLikeFloat } from './scan-config.ts';

/** A knob to declare, without its file and locator (the caller adds them). */
export type KnobShape = Omit<KnobSpec, 'file' | 'key' | 'marker' | 'name'>;

export type Proposal = { shape: KnobShape; why: string } | { skip: string };

const NOT_SEARCHED: Array<[RegExp, string]> = [
  [/(^|_)(seed|random_state|rng)$/, 'a seed: autolab sets AUTOLAB_SEED for each repeat'],
  [/(^|_)(verbose|verbosity|debug|quiet|log_every|log_interval|print_every|eval_every|eval_interval|save_every|log_freq|progress)$/, 'logging, not the result'],
  [/(^|_)(path|paths|dir|dirs|file|files|folder|root|output|out|out_dir|output_dir|data_dir|dataset|data|checkpoint|ckpt|resume|cache)$/, 'a location, not a setting to search'],
  [/(^|_)(device|devices|gpu|gpus|cuda|num_workers|workers|n_jobs|jobs|threads|nproc|world_size|rank|local_rank|port|host)$/, 'the machine, not the recipe'],
  [/(^|_)(name|run_name|exp_name|experiment|project|tag|wandb\w*|version)$/, 'a name'],
  [/(^|_)(max_seconds|time_limit|timeout|max_time|deadline)$/, 'a time limit: the task\'s run.timeout owns time'],
];

const RATE = /(^|_)(lr|learning_rate|eta|eta0|alpha|lambda|lambd|l1|l2|weight_decay|wd|decay|reg|regularization|penalty|eps|epsilon|tol|tolerance|min_lr|max_lr|init_lr|base_lr|c|gamma)$/;
const FRACTION = /(^|_)(dropout|drop|drop_rate|p|prob|probability|frac|fraction|ratio|subsample|keep|keep_prob|smoothing|label_smoothing|mix|mixup|validation_fraction|colsample_bytree|max_features)$/;
const MOMENTUM = /(^|_)(momentum|beta|beta1|beta2|ema|ema_decay|rho)$/;
const SIZE = /(^|_)(batch|batch_size|bs|hidden|hidden_size|hidden_dim|width|dim|d_model|units|n_units|channels|features|n_features|size|embed|embed_dim|emb|neurons|filters|estimators|n_estimators|trees|leaves|num_leaves|max_leaf_nodes|steps|max_steps|iters|iterations|n_iter|max_iter|epochs|n_epochs|num_epochs|max_epochs|warmup_steps|vocab|heads_dim|ffn|mlp)$/;
const SMALL_COUNT = /(^|_)(layers|n_layers|num_layers|depth|max_depth|heads|n_heads|num_heads|blocks|k|n_neighbors|neighbors|degree|patience|min_samples_split|min_samples_leaf|context|kernel|kernel_size|stride|groups)$/;

/** Families of string values; those tagged `sklearn` are the values scikit-learn accepts (preferred when the recipe imports it). */
const CHOICE_FAMILIES: Array<{ members: string[]; library?: 'sklearn' }> = [
  { members: ['relu', 'tanh', 'logistic', 'identity'], library: 'sklearn' },
  { members: ['adam', 'sgd', 'lbfgs'], library: 'sklearn' },
  { members: ['constant', 'invscaling', 'adaptive'], library: 'sklearn' },
  { members: ['relu', 'gelu', 'silu', 'tanh'] },
  { members: ['adamw', 'adam', 'sgd'] },
  { members: ['cosine', 'linear', 'constant'] },
  { members: ['gini', 'entropy', 'log_loss'] },
  { members: ['uniform', 'distance'] },
  { members: ['auto', 'ball_tree', 'kd_tree', 'brute'] },
  { members: ['rbf', 'linear', 'poly', 'sigmoid'] },
  { members: ['l2', 'l1', 'elasticnet'] },
  { members: ['mean', 'max', 'sum'] },
  { members: ['float32', 'bfloat16', 'float16'] },
];

/** What the recipe uses, for choices that depend on the library (scikit-learn's activations differ). */
export interface ProposeContext {
  sklearn?: boolean;
}

/** A number rounded to 3 significant digits for a bound (`0.003162` -> 0.00316). */
function bound(value: number, type: 'int' | 'float'): number {
  if (type === 'int') return Math.round(value);
  return Number(value.toPrecision(3));
}

function show(value: number, type: 'int' | 'float'): string {
  return formatKnobNumber(value, type);
}

function numberType(parameter: FoundParameter): 'int' | 'float' {
  if (parameter.declaredType === 'float') return 'float';
  if (parameter.declaredType === 'int') return 'int';
  return looksLikeFloat(parameter.text, parameter.value) ? 'float' : 'int';
}

function range(type: 'int' | 'float', low: number, high: number, log: boolean, why: string): Proposal {
  const shape: KnobShape = { type, low: bound(low, type), high: bound(high, type) };
  if (shape.low! >= shape.high!) shape.high = type === 'int' ? shape.low! + 1 : shape.low! * 2 || 1;
  if (log) shape.log = true;
  return { shape, why };
}

/** A knob for a numeric parameter: by what its name says it is, else 4x either way. */
function numericKnob(key: string, value: number, type: 'int' | 'float'): Proposal {
  const v = value;
  if (type === 'int') {
    if (v <= 0) return { skip: `an integer of ${v}: give it a range by hand if it is worth searching` };
    if (SMALL_COUNT.test(key)) return range('int', Math.max(1, Math.floor(v / 2)), Math.max(v * 2, v + 2), false, `a small count: ${Math.max(1, Math.floor(v / 2))}..${Math.max(v * 2, v + 2)} around ${v}`);
    if (SIZE.test(key) || v >= 16) return range('int', Math.max(1, Math.round(v / 4)), v * 4, v >= 4, `a size: 4x either way around ${v}${v >= 4 ? ', log scale (each doubling counts the same)' : ''}`);
    return range('int', 1, Math.max(v * 2, v + 4), false, `an integer: 1..${Math.max(v * 2, v + 4)} around ${v}`);
  }
  if (v === 0) {
    if (RATE.test(key)) return range('float', 1e-6, 0.1, true, 'a rate or penalty, 0 in the baseline: 1e-6..0.1 on a log scale (0 itself stays the baseline)');
    if (FRACTION.test(key)) return range('float', 0, 0.5, false, 'a fraction, 0 in the baseline: 0..0.5');
    return { skip: 'a float of 0: give it a range by hand if it is worth searching' };
  }
  if (v < 0) return { skip: `a negative float (${v}): give it a range by hand if it is worth searching` };
  if (/(^|_)(c|gamma)$/.test(key)) return range('float', v / 100, v * 100, true, `spans decades: 100x either way around ${show(v, 'float')}, log scale`);
  if (RATE.test(key)) return range('float', v / 10, v * 10, true, `a rate: 10x either way around ${show(v, 'float')}, log scale`);
  if (MOMENTUM.test(key) && v < 1) return range('float', v >= 0.5 ? 0.5 : 0, v >= 0.99 ? 0.9999 : 0.999, false, `a momentum/decay near 1: ${v >= 0.5 ? 0.5 : 0}..${v >= 0.99 ? 0.9999 : 0.999}`);
  if (FRACTION.test(key) && v < 1) return range('float', 0, Math.min(0.9, Math.max(0.5, v * 2)), false, `a fraction: 0..${Math.min(0.9, Math.max(0.5, v * 2))}`);
  return range('float', v / 4, v * 4, true, `a positive number: 4x either way around ${show(v, 'float')}, log scale`);
}

/**
 * The knob to propose for a parameter, or why it is left out.
 *
 * @example proposeKnob({ name: 'learning_rate', source: 'argparse', value: 0.001, declaredType: 'float' })
 * // { shape: { type: 'float', low: 0.0001, high: 0.01, log: true }, why: 'a rate: 10x either way around 0.001, log scale' }
 */
export function proposeKnob(parameter: FoundParameter, context: ProposeContext = {}): Proposal {
  const key = (parameter.name.split('.').at(-1) ?? parameter.name).toLowerCase().replace(/-/g, '_');
  for (const [pattern, why] of NOT_SEARCHED) if (pattern.test(key)) return { skip: why };
  const { value } = parameter;
  if (parameter.choices !== undefined && parameter.choices.length > 1) {
    const choices = parameter.choices.some((choice) => choice === value) ? parameter.choices : [value, ...parameter.choices];
    return { shape: { type: 'categorical', choices }, why: `the choices the source lists` };
  }
  if (typeof value === 'boolean') return { shape: { type: 'categorical', choices: [value, !value] }, why: 'a switch: both settings' };
  if (typeof value === 'string') {
    const fits = (family: { members: string[] }) => family.members.includes(value) || family.members.includes(value.toLowerCase());
    const family = (CHOICE_FAMILIES.find((candidate) => fits(candidate) && (candidate.library === 'sklearn') === (context.sklearn ?? false)) ?? CHOICE_FAMILIES.find(fits))?.members;
    if (!family) return { skip: `a string ('${value.length > 30 ? `${value.slice(0, 27)}...` : value}') with no known alternatives: add it with choices by hand` };
    const choices = [value, ...family.filter((member) => member !== value && member !== value.toLowerCase())];
    return { shape: { type: 'categorical', choices }, why: `one of a known family${context.sklearn && CHOICE_FAMILIES.some((entry) => entry.library === 'sklearn' && entry.members === family) ? ' (the values scikit-learn accepts)' : ''}: ${choices.join(', ')}` };
  }
  if (!Number.isFinite(value)) return { skip: 'not a finite number' };
  return numericKnob(key, value, numberType(parameter));
}
