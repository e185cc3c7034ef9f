import { z } from 'zod';
import { taskFileSchema } from './schema.ts';

/**
 * The JSON Schema (draft-07, which editors support best) of the task file as users write
 * it, with a description on every key. Serve it to editors with a first line such as
 * `# yaml-language-server: $schema=./node_modules/autolab/autolab.schema.json`.
 * Checks that span several keys (a specialist's surface exists, knob rules) are only
 * made by `loadTaskFile`.
 *
 * @example writeFileSync('autolab.schema.json', JSON.stringify(taskFileJsonSchema(), null, 2));
 */
export function taskFileJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(taskFileSchema, { io: 'input', target: 'draft-7', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...schema, $id: 'https://autolab.dev/schema/autolab.yaml.json', title: 'autolab task file (autolab.yaml)' };
}
