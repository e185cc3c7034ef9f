import { access, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { AutolabError } from '../../core/errors.ts';
import { withStarterSpecialists } from '../../specialists/llm/starter-specialists.ts';
import { initTemplate } from '../../task/init-template.ts';

/** `autolab init [DIR]`: writes a commented autolab.yaml to fill in. */
export async function initCommand(dir: string, options: { force?: boolean; name?: string; specialists?: boolean; generalist?: boolean }): Promise<number> {
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
  let text = initTemplate({ name });
  if (options.specialists) text = withStarterSpecialists(text, 'training');
  if (options.generalist) text = withStarterSpecialists(text, 'generalist');
  await writeFile(file, text);
  process.stdout.write(`wrote ${file}\nnext: fill in the run and score commands, the objective and a surface, then: npx autolab run ${dir === '.' ? '' : dir}\n`);
  return 0;
}
