import { Command, InvalidArgumentError } from 'commander';
import { AutolabError } from '../core/errors.ts';
import { parsePositiveNumber, taskPathOf } from './arguments.ts';
import { invocationOf, looksLikeTrialNumber, splitLeadingPath } from './invocation.ts';
import { submitExitCodesHelp } from './commands/submit-exit-codes.ts';

function numberOption(name: string) {
  const parse = parsePositiveNumber(name);
  return (text: string) => {
    try {
      return parse(text);
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message);
    }
  };
}

function integerOption(name: string) {
  return (text: string) => {
    const value = Number(text);
    if (!Number.isInteger(value) || value <= 0) throw new InvalidArgumentError(`${name} expects a positive whole number`);
    return value;
  };
}

function schedulerOption(text: string): 'bandit' | 'round-robin' {
  if (text === 'bandit' || text === 'round-robin') return text;
  throw new InvalidArgumentError(`--scheduler expects bandit or round-robin, not '${text}'`);
}

const PATH_HELP = 'the task file or the folder holding autolab.yaml (default: .; or --task)';

/** The command's options plus how the user called it, for hints that work where they stand. */
function withInvocation<T extends { task?: string; store?: string; study?: string }>(path: string | undefined, options: T): T & { invocation: ReturnType<typeof invocationOf> } {
  return { ...options, invocation: invocationOf(path, options) };
}

/** Adds the options every study command shares. */
function studyOptions(command: Command): Command {
  return command
    .option('--task <path>', 'the task file or the folder holding autolab.yaml (default: .)')
    .option('--store <location>', 'the store: a SQLite file, or postgres://USER:PASSWORD@HOST:5432/DB[?schema=NAME] to share a study between hosts; default .autolab/autolab.db beside the task file; env AUTOLAB_STORE')
    .option('--study <name>', "the study's name (default: the task's name)");
}

/**
 * The CLI's commands. Each command's module is imported when that command runs: `autolab
 * --version` or `status` loads neither the dashboard nor the drivers (a shorter start).
 */
export function buildProgram(): Command {
  const program = new Command('autolab')
    .description('Auto research: specialists propose edits to a recipe, an evaluator they cannot touch measures each one, the lineage shapes the next.')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)');
  addStartCommands(program);
  addInspectCommands(program);
  addShareCommands(program);
  addProposeCommands(program);
  addMachineCommands(program);
  return program;
}

/** The commands init and run: write a task file, run a study. */
function addStartCommands(program: Command): void {
  program
    .command('init')
    .argument('[dir]', 'the recipe folder', '.')
    .description('write a commented autolab.yaml to fill in')
    .option('--force', 'overwrite an existing autolab.yaml')
    .option('--name <name>', "the study's name (default: the folder's name)")
    .option('--specialists', 'add starter llm specialists for a training recipe (optimizer, architecture, data, systems)')
    .option('--generalist', 'add one generalist llm specialist that may edit everything not protected (the single-agent control)')
    .option(
      '--scan <file>',
      'propose the task from a script or config (Python argparse/dataclass/constants, JSON, YAML, TOML): knobs with ranges, `autolab: NAME` markers in .py/.toml files, guessed commands; repeat for more files',
      (file: string, files: string[] = []) => [...files, file],
    )
    .action(async (dir: string, options) => finish(await (await import('./commands/init.ts')).initCommand(dir, options)));

  studyOptions(
    program
      .command('run')
      .argument('[path]', 'the task file or the folder holding autolab.yaml')
      .description('create or resume the study: measure the baseline, then run trials until a stop rule fires')
      .option('--trials <n>', 'run at most N trials in this invocation (within the study\'s budget)', integerOption('--trials'))
      .option('--more <n>', "extend the study's trial budget by N beyond the task file's budget.trials (recorded in the study; status and later runs agree)", integerOption('--more'))
      .option('--strict', 'refuse to resume when protected or setup files differ on disk from the study\'s baseline (default: warn)')
      .option('--hours <h>', 'stop creating trials after H hours', numberOption('--hours'))
      .option('--patience <n>', 'stop after N trials in a row without a new incumbent', integerOption('--patience'))
      .option('--fresh', 'archive the existing study of this name and start a new one')
      .option('--no-lineage', 'control arm: specialists see only the incumbent score')
      .option('--memory', "warm-start from earlier studies' memory (technique cards, knob priors), as memory: { use: true } does")
      .option('--remote', 'only propose: queue trials for `autolab worker` processes on other hosts (needs a PostgreSQL --store)')
      .option('--scheduler <kind>', 'who proposes next: bandit (payoff-driven, default) or round-robin', schedulerOption),
  ).action(async (path: string | undefined, options) => finish(await (await import('./commands/run.ts')).runCommand(taskPathOf(path, options), withInvocation(path, options))));
}

/** The commands status, trials, show, best, lineage: read a study. */
function addInspectCommands(program: Command): void {
  studyOptions(program.command('status').argument('[path]', PATH_HELP).description('where the study stands').option('--json', 'machine-readable output')).action(
    async (path: string | undefined, options) => finish(await (await import('./commands/inspect.ts')).statusCommand(taskPathOf(path, options), withInvocation(path, options))),
  );

  studyOptions(
    program
      .command('trials')
      .argument('[path]', PATH_HELP)
      .description('the table of trials')
      .option('--json', 'machine-readable output (see docs/json.md)')
      .option('--status <list>', 'only these statuses (comma-separated: pending,running,kept,discarded,failed)')
      .option('--specialist <name>', "only this specialist's trials")
      .option('--label <label>', 'only trials with this failure label')
      .option('--limit <n>', 'the newest N (default 50)', integerOption('--limit'))
      .option('--all', 'every trial, streamed page by page'),
  ).action(async (path: string | undefined, options) => finish(await (await import('./commands/inspect.ts')).trialsCommand(taskPathOf(path, options), withInvocation(path, options))));

  studyOptions(
    program
      .command('failures')
      .argument('[path]', PATH_HELP)
      .description('failed trials grouped by cause (failure signature): counts, first and last trial, an example')
      .option('--json', 'machine-readable output (see docs/json.md)')
      .option('--label <label>', 'only causes with this failure label'),
  ).action(async (path: string | undefined, options) => finish(await (await import('./commands/failures.ts')).failuresCommand(taskPathOf(path, options), withInvocation(path, options))));

  studyOptions(
    program
      .command('show')
      .usage('[PATH] TRIAL [options]')
      .argument('[path]', PATH_HELP)
      .argument('[trial]', 'a trial number (0 is the baseline)')
      .description('everything recorded about one trial')
      .option('--json', 'machine-readable output')
      .option('--session', 'replay the archived session that proposed it, step by step, beside its diff'),
  ).action(async (first: string | undefined, second: string | undefined, options) => {
    const { path, rest } = splitLeadingPath([first, second], 1);
    if (rest.length === 0) throw new AutolabError('UsageError', 'show needs a trial number', { hint: 'e.g. `autolab show 3`, or `autolab show PATH 3` from another folder' });
    if (options.session) {
      finish(await (await import('./commands/research-memory.ts')).showSessionCommand(rest[0]!, { ...withInvocation(path, options), path: taskPathOf(path, options) }));
      return;
    }
    finish(await (await import('./commands/inspect.ts')).showCommand(rest[0]!, { ...withInvocation(path, options), path: taskPathOf(path, options) }));
  });

  studyOptions(program.command('best').argument('[path]', PATH_HELP).description('the incumbent: the best legal trial so far').option('--json', 'machine-readable output')).action(
    async (path: string | undefined, options) => finish(await (await import('./commands/inspect.ts')).bestCommand(taskPathOf(path, options), withInvocation(path, options))),
  );

  studyOptions(
    program
      .command('lineage')
      .argument('[path]', PATH_HELP)
      .description('the lineage feedback exactly as a specialist sees it')
      .option('--json', 'JSON instead of Markdown')
      .option('--specialist <name>', "as this specialist sees it (with its own streak)")
      .option('--no-lineage', 'as the control arm sees it'),
  ).action(async (path: string | undefined, options) => finish(await (await import('./commands/inspect.ts')).lineageCommand(taskPathOf(path, options), withInvocation(path, options))));
}

/** The commands export, report, serve: hand results back, share them, watch them. */
function addShareCommands(program: Command): void {
  studyOptions(
    program
      .command('export')
      .usage('[PATH] [TRIAL] [options]')
      .argument('[path]', PATH_HELP)
      .argument('[trial]', 'a trial number (with --patch or --branch)')
      .description("hand a trial's diff against the baseline back to your repo, or export the whole study (--format)")
      .option('--patch <file>', 'write a patch file (- for stdout)')
      .option('--branch <name>', "create a branch in the recipe's git repo (working copy untouched)")
      .option('--format <format>', 'jsonl: the whole trajectory for audit; edits: improving edit pairs as a data set; sessions: agent sessions as chat-format training data (docs/export.md)')
      .option('--out <file>', 'where --format writes (default: stdout)')
      .option('--kept-only', '--format sessions: only sessions whose trial was kept')
      .option('--min-delta <x>', '--format sessions: only sessions whose trial improved on its parent by at least X (positive is better)', (text: string) => {
        const value = Number(text);
        if (!Number.isFinite(value)) throw new InvalidArgumentError('--min-delta expects a number');
        return value;
      })
      .option('--specialist <name>', "--format sessions: only this specialist's sessions"),
  ).action(async (first: string | undefined, second: string | undefined, options) => {
    // One word: a trial number (export 12 --patch x) or a PATH (export PATH --format jsonl).
    const { path, rest } = second === undefined && first !== undefined && !looksLikeTrialNumber(first) ? { path: first, rest: [] } : splitLeadingPath([first, second], 1);
    finish(await (await import('./commands/export.ts')).exportCommand(rest[0], { ...withInvocation(path, options), task: taskPathOf(path, options) }));
  });

  studyOptions(
    program
      .command('sessions')
      .argument('[path]', PATH_HELP)
      .description('the archived sessions of llm and command specialists (prompt, tool calls, results, cost, outcome)')
      .option('--specialist <name>', "only this specialist's sessions")
      .option('--json', 'machine-readable output (see docs/json.md)'),
  ).action(async (path: string | undefined, options) => finish(await (await import('./commands/research-memory.ts')).sessionsCommand(taskPathOf(path, options), withInvocation(path, options))));

  studyOptions(
    program
      .command('knowledge')
      .argument('[path]', PATH_HELP)
      .description("the study's knowledge base (leaderboard, hypothesis tree, failures, notes), regenerated; Markdown files under .autolab/studies/<study>/knowledge")
      .option('--paths', 'print the paths of the files instead of their text'),
  ).action(async (path: string | undefined, options) => finish(await (await import('./commands/research-memory.ts')).knowledgeCommand(taskPathOf(path, options), withInvocation(path, options))));

  studyOptions(
    program
      .command('memory')
      .usage('list | show CARD | forget CARD [options]')
      .argument('<action>', 'list, show or forget')
      .argument('[card]', 'a card id (show, forget)')
      .description('technique cards across studies: what kept changes measured, for warm starts (docs/memory.md)')
      .option('--json', 'machine-readable output'),
  ).action(async (action: string, card: string | undefined, options) => finish(await (await import('./commands/research-memory.ts')).memoryCommand(action, card, { ...withInvocation(undefined, options), path: taskPathOf(undefined, options) })));

  studyOptions(
    program
      .command('report')
      .argument('[path]', 'the task file or the folder holding autolab.yaml')
      .description("write a study's report to share: one self-contained report.html, and report.md with SVG plots")
      .option('--out <dir>', 'the folder to write into (default: ./<study>-report)'),
  ).action(async (path: string | undefined, options) => finish(await (await import('./commands/report.ts')).reportCommand(taskPathOf(path, options), withInvocation(path, options))));

  program
    .command('serve')
    .argument('[path]', 'the task file or the folder holding autolab.yaml (default: .)')
    .description('the dashboard: every study of the store, live while any process runs them')
    .option('--task <path>', 'the task file or its folder (default: .)')
    .option('--store <url>', 'serve this store instead of the one beside the task file; env AUTOLAB_STORE')
    .option('--study <name>', 'print the URL of this study')
    .option('--host <address>', 'the address to listen on (default 127.0.0.1; any other needs --token)')
    .option('--port <n>', 'the port (default 8420; 0: any free port)', (text: string) => {
      const value = Number(text);
      if (!Number.isInteger(value) || value < 0 || value > 65535) throw new InvalidArgumentError('--port expects a port number');
      return value;
    })
    .option('--token <token>', 'required on every request (header, ?token= or cookie); env AUTOLAB_TOKEN')
    .action(async (path: string | undefined, options) => finish(await (await import('./commands/serve.ts')).serveCommand(path, options)));
}

/** The commands submit and checkout: proposals made by hand. */
function addProposeCommands(program: Command): void {
  studyOptions(
    program
      .command('submit')
      .usage('[PATH] PATCH --hypothesis TEXT [options]')
      .argument('[path]', PATH_HELP)
      .argument('[patch]', 'a unified diff against the parent trial (- for stdin)')
      .description('evaluate a proposal made outside autolab, through the same legality, run, score and acceptance')
      .requiredOption('--hypothesis <text>', 'what the edit is expected to do, and why')
      .option('--parent <trial>', 'the trial the patch applies to (default: the incumbent)')
      .option('--specialist <name>', "record it under this name; a task specialist's name applies its surface (default: manual)")
      .option('--notes <text>', 'free-form notes')
      .option('--json', 'machine-readable output (the exit code is the same)')
      .addHelpText('after', submitExitCodesHelp()),
  ).action(async (first: string | undefined, second: string | undefined, options) => {
    const { path, rest } = splitLeadingPath([first, second], 1);
    if (rest.length === 0) throw new AutolabError('UsageError', 'submit needs a patch file (or - for standard input)', { hint: 'make one with `git diff > my.patch`, then `autolab submit my.patch --hypothesis "..."`' });
    finish(await (await import('./commands/submit.ts')).submitCommand(rest[0]!, { ...withInvocation(path, options), task: taskPathOf(path, options) }));
  });

  studyOptions(
    program
      .command('checkout')
      .usage('[PATH] TRIAL DIR [options]')
      .argument('[path]', PATH_HELP)
      .argument('[trial]', 'a trial number (0 is the baseline)')
      .argument('[dir]', 'a new or empty folder to write the files into')
      .description("write a trial's files into DIR (a git repository at that trial) to edit by hand; `git diff` there is a patch for `autolab submit --parent TRIAL`"),
  ).action(async (first: string | undefined, second: string | undefined, third: string | undefined, options) => {
    const { path, rest } = splitLeadingPath([first, second, third], 2);
    if (rest.length < 2) throw new AutolabError('UsageError', 'checkout needs a trial number and a folder', { hint: 'e.g. `autolab checkout 12 /tmp/t12` (or `autolab checkout PATH 12 /tmp/t12` from another folder)' });
    finish(await (await import('./commands/checkout.ts')).checkoutCommand(rest[0]!, rest[1]!, { ...withInvocation(path, options), path: taskPathOf(path, options) }));
  });
}

/** The commands worker, doctor, schema: other hosts, this machine, editors. */
function addMachineCommands(program: Command): void {
  program
    .command('worker')
    .argument('[path]', 'the task file or the folder holding autolab.yaml, at the path its driver uses (shared filesystem)')
    .description('claim trials queued by `autolab run --remote` and evaluate them on this host, with leases and heartbeats')
    .option('--task <path>', 'the task file or its folder (default: .)')
    .option('--store <url>', 'the shared store: postgres://USER:PASSWORD@HOST:5432/DB[?schema=NAME]; env AUTOLAB_STORE')
    .option('--study <name>', "the study's name (default: the task's name)")
    .option('--parallel <n>', "trials at once on this worker (default: the task's parallel)", integerOption('--parallel'))
    .option('--lease <seconds>', 'a claimed trial goes back to the queue when this worker is silent this long (default 20)', numberOption('--lease'))
    .option('--idle-exit <seconds>', 'stop after this long with nothing to claim and nothing in flight in the study (default: never)', numberOption('--idle-exit'))
    .option('--max-trials <n>', 'stop after claiming N trials', integerOption('--max-trials'))
    .action(async (path: string | undefined, options) => finish(await (await import('./commands/worker.ts')).workerCommand(taskPathOf(path, options), options)));

  program
    .command('doctor')
    .argument('[path]', PATH_HELP)
    .description('check this machine for what the task needs (git, bubblewrap, the interpreters and Python modules its commands use, GPUs, the store, Slurm) and say what to install')
    .option('--task <path>', 'the task file or its folder (default: .)')
    .option('--store <location>', 'check this store instead of the one beside the task file; env AUTOLAB_STORE')
    .option('--study <name>', "the study's name (default: the task's name)")
    .option('--json', 'machine-readable output')
    .action(async (path: string | undefined, options) => {
      const explicit = path !== undefined || options.task !== undefined || process.env.AUTOLAB_TASK !== undefined;
      finish(await (await import('./commands/doctor.ts')).doctorCommand(taskPathOf(path, options), explicit, withInvocation(path, options)));
    });

  program
    .command('schema')
    .description('print the JSON Schema of the task file (for editors)')
    .action(async () => {
      process.stdout.write(JSON.stringify((await import('../task/json-schema.ts')).taskFileJsonSchema(), null, 2) + '\n');
    });
}

function finish(code: number): void {
  process.exitCode = code;
}

let pipeGuarded = false;

/** Runs the CLI; user errors print their message and hint, never a stack. */
export async function main(argv: string[]): Promise<void> {
  // `autolab trials | head`: a closed pipe ends the output, not the process with a stack.
  // Once per process: tests and embedders call main() many times.
  if (!pipeGuarded) {
    pipeGuarded = true;
    for (const stream of [process.stdout, process.stderr]) {
      stream.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
        throw error;
      });
    }
  }
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    if (AutolabError.is(error)) {
      process.stderr.write(`autolab: ${error.message}\n`);
      const hint = (await betterHint(error, argv).catch(() => undefined)) ?? error.hint;
      if (hint) process.stderr.write(`  → ${hint}\n`);
      process.exitCode = 1;
      return;
    }
    process.stderr.write(`autolab: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = 2;
  }
}

/**
 * A hint that knows the user's command: for "no task file in <the current folder>", the
 * command again with the PATH of each task file found below.
 */
async function betterHint(error: AutolabError, argv: string[]): Promise<string | undefined> {
  const missing = /^No task file in (.+): expected /.exec(error.message);
  if (error.name !== 'TaskFileError' || missing === null) return undefined;
  const folder = missing[1]!;
  const words = argv.slice(2);
  const named = words.includes('--task') || words.some((word) => word.startsWith('--task='));
  return (await import('./task-file-hint.ts')).missingTaskFileHint(folder, folder === process.cwd() && !named && process.env.AUTOLAB_TASK === undefined ? words : null);
}
