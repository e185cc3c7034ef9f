import { describe, expect, it } from 'vitest';
import { taskFileJsonSchema } from './json-schema.ts';

const TOP_LEVEL_KEYS = [
  'name', 'repo', 'baseline', 'setup', 'objective', 'objectives', 'near_duplicates', 'preference', 'preflight', 'run', 'score', 'legality', 'protected', 'gates',
  'surfaces', 'specialists', 'parallel', 'gpus', 'budget', 'limits', 'acceptance', 'seed', 'env',
];

type JsonSchema = Record<string, unknown> & { properties?: Record<string, JsonSchema>; description?: string };

/** Every `properties` entry in the schema, with its dotted path. */
function allProperties(schema: unknown, path = ''): Array<[string, JsonSchema]> {
  if (typeof schema !== 'object' || schema === null) return [];
  const found: Array<[string, JsonSchema]> = [];
  const node = schema as JsonSchema;
  for (const [key, value] of Object.entries(node)) {
    if (key === 'properties' && typeof value === 'object' && value !== null) {
      for (const [name, property] of Object.entries(value as Record<string, JsonSchema>)) {
        found.push([`${path}${name}`, property]);
        found.push(...allProperties(property, `${path}${name}.`));
      }
    } else if (typeof value === 'object') {
      found.push(...allProperties(value, path));
    }
  }
  return found;
}

describe('taskFileJsonSchema', () => {
  const schema = taskFileJsonSchema() as JsonSchema;

  it('is a draft-07 object schema with a property for every top-level key', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.type).toBe('object');
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties!)).toEqual(expect.arrayContaining(TOP_LEVEL_KEYS));
    expect(schema.required).toEqual(['name', 'run', 'score']); // objective, or objectives: checked when the file loads
  });

  it('describes every key at every level', () => {
    const properties = allProperties(schema);
    expect(properties.length).toBeGreaterThan(40);
    const undescribed = properties.filter(([, property]) => typeof property.description !== 'string' || property.description === '');
    expect(undescribed.map(([path]) => path)).toEqual([]);
  });

  it('serialises to JSON and states the user-facing forms', () => {
    const text = JSON.stringify(schema);
    expect(JSON.parse(text)).toEqual(schema);
    const run = schema.properties!.run!;
    expect(run.required).toEqual(['command', 'timeout']);
    expect(JSON.stringify(run.properties!.timeout)).toContain('pattern');
  });
});
