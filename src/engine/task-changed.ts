import { AutolabError } from '../core/errors.ts';

/** The study's judging hash differs from the task file's: it must not run or score under the new rules. */
export function taskChanged(name: string): AutolabError {
  return new AutolabError(
    'TaskChanged',
    `the task file changed how trials are judged since study '${name}' started (objective, setup, run or score command, gates, protected paths, limits or acceptance)`,
    { hint: `start a new study with \`autolab run --fresh\` (the old one is kept under another name), or \`--study NEW_NAME\`; undo the change to resume` },
  );
}
