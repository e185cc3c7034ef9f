import { access, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { AutolabError } from '../../core/errors.ts';
import { initTemplate } from '../../task/init-template.ts';

/** `autolab init [DIR]`: writes a commented autolab.yaml to fill in. */
export async function initCommand(dir: string, options: { force?: boolean; name?: string }): Promise<number> {
  const folder = resolve(dir);
  const file = join(folder, 'autolab.yaml');
  const exists = await access(file).then(() => true, () => false);
  if (exists && !options.force) {
    throw new AutolabError('UsageError', `${file} already exists`, { hint: 'edit it, or pass --force to overwrite it' });
  }
  const name = (options.name ?? basename(folder)).replace(/[^A-Za-z0-9._-]/g, '-') || 'study';
  await writeFile(file, initTemplate({ name }));
  process.stdout.write(`wrote ${file}\nnext: fill in the run and score commands, the objective and a surface, then: npx autolab run ${dir === '.' ? '' : dir}\n`);
  return 0;
}
