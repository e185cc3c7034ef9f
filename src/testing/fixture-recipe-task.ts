/**
 * The first lines of a task file for test/fixtures/recipe (prepare.js, train.js, score.js, config.json, lib/): its name, setup, objective (loss, minimised),
 * run and score commands with one timeout, and the protected paths. Tests add surfaces and specialists.
 *
 * @example
 * const yaml = [...fixtureTaskHead({ timeout: '30s' }), 'surfaces:', '  recipe: { paths: [config.json] }'].join('\n');
 */
export function fixtureTaskHead(options: { name?: string; timeout?: string } = {}): string[] {
  const timeout = options.timeout ?? '5s';
  return [
    `name: ${options.name ?? 'fixture'}`,
    'setup: node prepare.js',
    'objective: { metric: loss, direction: minimize }',
    `run: { command: node train.js, timeout: ${timeout} }`,
    `score: { command: node score.js, timeout: ${timeout} }`,
    'protected: [score.js, prepare.js, autolab.yaml]',
  ];
}
