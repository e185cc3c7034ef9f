/**
 * The commands and objective `autolab init --scan` proposes, guessed from the recipe
 * folder's files: the run script (a scanned script, or train.py, main.py, ...), the score
 * script (score.py, evaluate.py, ...), a data preparation script for setup, and the
 * metric the score script prints. Each guess carries its reason; a guess that found
 * nothing says so, for the user to fill in.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A guessed value and why. `found: false`: a placeholder to replace. */
export interface Guess<T> {
  value: T;
  why: string;
  found: boolean;
}

export interface GuessedCommands {
  run: Guess<string>;
  /** The script the run command starts (relative), if any. */
  runScript: string | null;
  score: Guess<string>;
  scoreScript: string | null;
  setup: Guess<string> | null;
  setupScript: string | null;
  preflight: Guess<string> | null;
  metric: Guess<string>;
  direction: Guess<'minimize' | 'maximize'>;
}

const RUN_NAMES = ['train.py', 'main.py', 'run.py', 'fit.py', 'train.js', 'main.js', 'run.js', 'train.sh', 'run.sh'];
const SCORE_NAMES = ['score.py', 'evaluate.py', 'eval.py', 'score.js', 'evaluate.js', 'score.sh', 'evaluate.sh'];
const SETUP_NAMES = ['prepare.py', 'prepare_data.py', 'download.py', 'download_data.py', 'data.py', 'prepare.js', 'prepare.sh', 'download.sh'];

/** The command that runs a script, by its extension. */
export function commandForScript(script: string): string {
  if (script.endsWith('.py')) return `python3 ${script}`;
  if (/\.(m?js|cjs)$/.test(script)) return `node ${script}`;
  if (script.endsWith('.sh')) return `bash ${script}`;
  return `./${script}`;
}

const LOWER_IS_BETTER = /loss|error|err$|bpb|bpc|perplexity|ppl|mse|rmse|mae|nll|time|seconds|latency|bytes|size|regret|cost|wer|cer/i;
const HIGHER_IS_BETTER = /acc|f1|auc|score|r2|precision|recall|reward|bleu|rouge|map|iou|return|throughput|speedup/i;

/** The direction a metric's name suggests. */
export function directionOf(metric: string): Guess<'minimize' | 'maximize'> {
  if (LOWER_IS_BETTER.test(metric)) return { value: 'minimize', why: `"${metric}" reads as lower-is-better`, found: true };
  if (HIGHER_IS_BETTER.test(metric)) return { value: 'maximize', why: `"${metric}" reads as higher-is-better`, found: true };
  return { value: 'minimize', why: `guessed: check whether lower or higher "${metric}" is better`, found: false };
}

/**
 * The first key of the JSON object a score script prints (`json.dumps({...})`,
 * `JSON.stringify({...})`), or null.
 *
 * @example printedMetric('print(json.dumps({"accuracy": acc, "n": n}))') // 'accuracy'
 */
export function printedMetric(source: string): string | null {
  const call = /(?:json\.dumps|JSON\.stringify)\(\s*\{([^}]*)\}/.exec(source);
  if (!call) return null;
  const key = /["']([A-Za-z_][\w.-]*)["']\s*:/.exec(call[1]!) ?? /(?:^|[{,\s])([A-Za-z_]\w*)\s*:/.exec(call[1]!);
  return key ? key[1]! : null;
}

/**
 * Guesses the task's commands and objective from the recipe folder `dir` and the
 * scanned files (relative to it) that read as scripts.
 */
export async function guessCommands(dir: string, scannedScripts: readonly string[]): Promise<GuessedCommands> {
  const files = new Set((await readdir(dir, { withFileTypes: true })).filter((entry) => entry.isFile()).map((entry) => entry.name));
  const runScript = scannedScripts[0] ?? RUN_NAMES.find((name) => files.has(name)) ?? null;
  const run: Guess<string> = runScript
    ? { value: commandForScript(runScript), why: scannedScripts[0] ? `${runScript} is a script (argparse or __main__)` : `${runScript} looks like the training script`, found: true }
    : { value: 'python3 train.py', why: 'TODO: no training script found; put your command here', found: false };
  const scoreScript = SCORE_NAMES.find((name) => files.has(name)) ?? null;
  const score: Guess<string> = scoreScript
    ? { value: commandForScript(scoreScript), why: `${scoreScript} found: evaluator-owned, it reads what the run left in $AUTOLAB_ARTIFACTS and prints the metrics JSON as its last line`, found: true }
    : {
        value: 'python3 score.py',
        why: 'TODO: no score script found. Write one the trials cannot touch: it reads what the run left in $AUTOLAB_ARTIFACTS (e.g. a saved model), measures it on held-out data, and prints {"metric": value} as its last line; a number the run prints about itself is never the score',
        found: false,
      };
  const setupScript = SETUP_NAMES.find((name) => files.has(name) && name !== runScript) ?? null;
  const setup: Guess<string> | null = setupScript ? { value: commandForScript(setupScript), why: `${setupScript} looks like data preparation: run once per study, before the baseline`, found: true } : null;
  const preflight: Guess<string> | null = runScript?.endsWith('.py')
    ? { value: `python3 -m py_compile ${runScript}`, why: 'a syntax check before each run (a broken edit fails in a second, as preflight_failed)', found: true }
    : runScript && /\.(m?js|cjs)$/.test(runScript)
      ? { value: `node --check ${runScript}`, why: 'a syntax check before each run (a broken edit fails in a second, as preflight_failed)', found: true }
      : null;
  const printed = scoreScript ? printedMetric(await readFile(join(dir, scoreScript), 'utf8')) : null;
  const metric: Guess<string> = printed
    ? { value: printed, why: `the first key of the JSON ${scoreScript} prints`, found: true }
    : { value: 'val_loss', why: `TODO: the key of the metric ${scoreScript ?? 'your score command'} prints`, found: false };
  return { run, runScript, score, scoreScript, setup, setupScript, preflight, metric, direction: directionOf(metric.value) };
}
