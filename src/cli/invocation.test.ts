import { describe, expect, it } from 'vitest';
import { FAILURE_LABELS } from '../core/trial.ts';
import { SUBMIT_EXIT_CODES, submitExitCode } from './commands/submit-exit-codes.ts';
import { commandFor, invocationOf, programName, shellWord, splitLeadingPath, withPath } from './invocation.ts';
import { withPathInserted } from './task-file-hint.ts';

describe('hints in the user’s own terms', () => {
  it('repeat the PATH, --task, --store and --study the user gave, and the program name', () => {
    expect(commandFor(invocationOf('examples/golf', {}, {}), 'show', ['23'])).toBe('autolab show examples/golf 23');
    expect(commandFor(invocationOf(undefined, { task: 'my dir' }, {}), 'export', ['23'], ['--patch', 'best.patch'])).toBe("autolab export 23 --task 'my dir' --patch best.patch");
    expect(commandFor(invocationOf(undefined, { store: 'postgres://u:p@h/db', study: 's2' }, { npm_command: 'exec' }), 'run')).toBe('npx autolab run --store postgres://u:p@h/db --study s2');
    expect(commandFor(withPath(invocationOf(undefined, { task: 'x' }, {}), 'recipe'), 'status')).toBe('autolab status recipe');
    expect(programName({})).toBe('autolab');
  });

  it('quote words for the shell only when needed', () => {
    expect(shellWord('a/b-c_1.txt')).toBe('a/b-c_1.txt');
    expect(shellWord("it's")).toBe(`'it'\\''s'`);
    expect(shellWord('#12')).toBe("'#12'");
  });

  it('split an optional leading PATH from the other words', () => {
    expect(splitLeadingPath(['recipe', '3'], 1)).toEqual({ path: 'recipe', rest: ['3'] });
    expect(splitLeadingPath(['3', undefined], 1)).toEqual({ path: undefined, rest: ['3'] });
    expect(splitLeadingPath(['3', '/tmp/x', undefined], 2)).toEqual({ path: undefined, rest: ['3', '/tmp/x'] });
    expect(withPathInserted(['show', '23', '--json'], 'examples/golf')).toEqual(['show', 'examples/golf', '23', '--json']);
  });
});

describe('submit exit codes', () => {
  it('map every failure label to exactly one documented code', () => {
    const documented = SUBMIT_EXIT_CODES.flatMap((entry) => entry.labels ?? []);
    expect(new Set(documented).size).toBe(documented.length);
    expect([...documented, 'not_significant'].sort()).toEqual([...FAILURE_LABELS].sort());
    expect(submitExitCode({ status: 'kept', label: null })).toBe(0);
    expect(submitExitCode({ status: 'discarded', label: 'not_significant' })).toBe(3);
    expect(submitExitCode({ status: 'failed', label: 'apply_failed' })).toBe(4);
    expect(submitExitCode({ status: 'failed', label: 'gate_miss' })).toBe(5);
    expect(submitExitCode({ status: 'failed', label: 'infra_error' })).toBe(6);
  });
});

describe('library hints, in the user’s terms', () => {
  it('rewrite the commands a hint names with the PATH the user gave', async () => {
    const { localHint } = await import('./context.ts');
    const options = { invocation: { bin: 'autolab', path: 'examples/golf' } };
    expect(localHint('start a new study with `autolab run --fresh` (the old one is kept)', options)).toBe('start a new study with `autolab run examples/golf --fresh` (the old one is kept)');
    expect(localHint('fix it, then run again with --fresh (kept); `autolab show 0` shows its logs', options)).toBe('fix it, then run `autolab run examples/golf --fresh` (kept); `autolab show examples/golf 0` shows its logs');
    expect(localHint('list them with `autolab trials`', { invocation: { bin: 'npx autolab', task: 'x' } })).toBe('list them with `npx autolab trials --task x`');
  });
});
