import { access, writeFile } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { AutolabError } from '../../core/errors.ts';
import { scanRecipe } from '../../init/scan-recipe.ts';
import { withStarterSpecialists } from '../../specialists/llm/starter-specialists.ts';
import { initTemplate } from '../../task/init-template.ts';
import { locateInUserRepo } from '../../workspace/user-repo.ts';
import { programName, shellWord } from '../invocation.ts';

export interface InitOptions {
  force?: boolean;
  name?: string;
  specialists?: boolean;
  generalist?: boolean;
  /** Files to scan for knobs and commands (`--scan train.py --scan config.yaml`). */
  scan?: string[];
}

/** `autolab init [DIR]`: writes a commented autolab.yaml to fill in (`--scan FILE`: proposed from the recipe). */
export async function initCommand(dir: string, options: InitOptions): Promise<number> {
  if (options.specialists && options.generalist) {
    throw new AutolabError('UsageError', '--specialists and --generalist are alternatives', { hint: 'pick one: a team of specialists for a training recipe, or one generalist' });
  }
  const folder = resolve(dir);
  const file = join(folder, 'autolab.yaml');
  const exists = await access(file).then(() => true, () => false);
  if (exists && !options.force) {
    throw new AutolabError('UsageError', `${file} already exists`, { hint: 'edit it, or pass --force to overwrite it' });
  }
  const name = (options.name ?? basename(folder)).replace(/[^A-Za-z0-9._-]/g, '-') || 'study';
  const bin = programName();
  const where = dir === '.' ? '' : ` ${shellWord(dir)}`;
  if (options.scan && options.scan.length > 0) return initFromScan(folder, file, name, options, { bin, where });
  let text = initTemplate({ name });
  if (options.specialists) text = withStarterSpecialists(text, 'training');
  if (options.generalist) text = withStarterSpecialists(text, 'generalist');
  await writeFile(file, text);
  process.stdout.write(`wrote ${file}\nnext: fill in the run and score commands, the objective and a surface, then: ${bin} doctor${where} · ${bin} run${where}\n`);
  return 0;
}

async function initFromScan(folder: string, file: string, name: string, options: InitOptions, shown: { bin: string; where: string }): Promise<number> {
  const result = await scanRecipe({ dir: folder, files: options.scan!.map((path) => resolve(path)), name });
  let text = result.taskYaml;
  if (options.specialists) text = withStarterSpecialists(text, 'training');
  if (options.generalist) text = withStarterSpecialists(text, 'generalist');
  for (const edit of result.edits) await writeFile(join(folder, edit.file), edit.text);
  await writeFile(file, text);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`scanned ${result.summary.map((entry) => `${entry.file} (${entry.found})`).join(', ')}`);
  if (result.knobs.length > 0) {
    out(`knobs (${result.knobs.length}):`);
    const width = Math.max(...result.knobs.map((entry) => entry.knob.name.length));
    for (const { knob, why } of result.knobs) {
      const range = knob.type === 'categorical' ? `[${knob.choices!.join(', ')}]` : `${knob.type} ${knob.low}..${knob.high}${knob.log ? ' log' : ''}`;
      out(`  ${knob.name.padEnd(width)}  ${knob.key !== undefined ? `${knob.file} key ${knob.key}` : `${knob.file} marker`}  ${range}  (${why})`);
    }
  } else out('knobs: none found that are worth searching (see the comments in autolab.yaml)');
  if (result.skipped.length > 0) out(`left out (${result.skipped.length}): ${result.skipped.map((skip) => `${skip.name} (${skip.reason})`).join('; ')}`);
  for (const edit of result.edits) out(`wrote \`autolab: NAME\` marker comments in ${edit.file} on line${edit.lines.length === 1 ? '' : 's'} ${edit.lines.join(', ')} (nothing else changed)`);
  const guesses = [`run \`${result.commands.run.value}\``, `score \`${result.commands.score.value}\``, ...(result.commands.setup ? [`setup \`${result.commands.setup.value}\``] : [])];
  out(`wrote ${file}: ${guesses.join(', ')}, ${result.commands.direction.value} ${result.commands.metric.value}`);
  const todo = [result.commands.run, result.commands.score, result.commands.metric].filter((guess) => !guess.found).length;
  out('next:');
  let step = 1;
  out(`  ${step++}. read autolab.yaml: every choice says why${todo > 0 ? `; fix the ${todo} line(s) marked TODO (no guess was possible)` : ''}, and set run.timeout`);
  const location = await locateInUserRepo(folder).catch(() => null);
  if (result.edits.length > 0 && location !== null) {
    const files = result.edits.map((edit) => shellWord(relative(process.cwd(), join(folder, edit.file)) || edit.file)).join(' ');
    out(`  ${step++}. commit the markers (the baseline is your last commit): git add ${files} && git commit -m "autolab knob markers"`);
  }
  out(`  ${step++}. ${shown.bin} doctor${shown.where}   (checks the machine for what the commands need)`);
  out(`  ${step++}. ${shown.bin} run${shown.where}   (measures the baseline, which must pass the gates, then searches)`);
  return 0;
}
