import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TypedEmitter, type StudyEventMap } from '../core/events.ts';
import { openStudy } from './open-study.ts';
import { useRecipeRepos } from '../testing/recipe-repos.ts';

const FIXTURE = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'recipe');
const repos = useRecipeRepos(FIXTURE);
const { recipe } = repos;

async function events(dir: string): Promise<string[]> {
  const study = await openStudy(dir);
  try {
    return (await study.store.listEvents(study.record.id)).map((event) => event.type);
  } finally {
    await study.close();
  }
}

describe('opening a study: the judging hash is written once', () => {
  it('reading commands write nothing; a changed gate is refused by every run, even after a read', async () => {
    const dir = await recipe();
    const first = await openStudy(dir, { create: true });
    const hash = first.record.taskHash;
    await first.close();
    const before = await events(dir);
    const again = await openStudy(dir, { create: true }); // the same task file: nothing to write
    await again.close();
    expect(await events(dir)).toEqual(before);
    expect(before).not.toContain('study.task_changed');

    const taskFile = join(dir, 'autolab.yaml');
    writeFileSync(taskFile, readFileSync(taskFile, 'utf8').replace('size <= 4096', 'size <= 999999'));
    await expect(openStudy(dir, { create: true })).rejects.toMatchObject({ name: 'TaskChanged' });
    const reader = await openStudy(dir); // `autolab status`
    expect(reader.record.taskHash).toBe(hash);
    expect(reader.judgingMatches).toBe(false);
    await expect(reader.prepare(new AbortController().signal)).rejects.toMatchObject({ name: 'TaskChanged' });
    await reader.close();
    await expect(openStudy(dir, { create: true })).rejects.toMatchObject({ name: 'TaskChanged' });
    expect(await events(dir)).toEqual(before);
  });

  it('a reading command on a folder without a store creates none', async () => {
    const dir = await recipe();
    await expect(openStudy(dir)).rejects.toMatchObject({ name: 'NotFound' });
    expect(existsSync(join(dir, '.autolab', 'autolab.db'))).toBe(false);
  });
});

describe('a new study never reuses an old one\'s folders', () => {
  it('--fresh moves the old study\'s folder and trial refs to its archived name, and setup runs again', async () => {
    const dir = await recipe();
    const old = await openStudy(dir, { create: true });
    const { baseline } = await old.prepare(new AbortController().signal);
    expect(baseline.status).toBe('kept');
    await old.close();
    const studies = join(dir, '.autolab', 'studies');
    const oldTarget = readFileSync(join(studies, 'fixture', 'holdout', 'target.json'), 'utf8');

    const fresh = await openStudy(dir, { create: true, fresh: true });
    repos.defer(() => fresh.close());
    const archived = (await fresh.store.listStudies()).map((study) => study.name).find((name) => name.startsWith('fixture@'))!;
    expect(archived).toBeDefined();
    expect(readFileSync(join(studies, archived, 'holdout', 'target.json'), 'utf8')).toBe(oldTarget);
    expect(existsSync(join(studies, archived, 'trials', '0', 'run.log'))).toBe(true);
    expect(existsSync(join(studies, 'fixture', 'setup.done'))).toBe(false);
    const { baseline: again } = await fresh.prepare(new AbortController().signal);
    expect(again.status).toBe('kept');
    expect(existsSync(join(studies, 'fixture', 'setup.done'))).toBe(true);
    expect(existsSync(join(studies, archived, 'trials', '0', 'run.log'))).toBe(true);
  });

  it('a study created over a folder an older study left (its store deleted) moves that folder aside', async () => {
    const dir = await recipe();
    const folder = join(dir, '.autolab', 'studies', 'fixture', 'trials', '0');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'run.log'), 'the old baseline\n');
    const warnings: string[] = [];
    const emitter = new TypedEmitter<StudyEventMap>();
    emitter.on('warning', (warning) => warnings.push(warning.code));
    const study = await openStudy(dir, { create: true, events: emitter });
    repos.defer(() => study.close());
    expect(warnings).toContain('study_folder_set_aside');
    const names = await readdir(join(dir, '.autolab', 'studies'));
    const aside = names.find((name) => name.startsWith('fixture@orphaned-'))!;
    expect(readFileSync(join(dir, '.autolab', 'studies', aside, 'trials', '0', 'run.log'), 'utf8')).toBe('the old baseline\n');
  });
});

describe("the study's setup output is verified before trials run", () => {
  it('a held-out file replaced after setup (as a checkout of a branch carrying .autolab/ would) stops the next run', async () => {
    const dir = await recipe();
    const study = await openStudy(dir, { create: true });
    repos.defer(() => study.close());
    await study.prepare(new AbortController().signal);
    const target = join(dir, '.autolab', 'studies', 'fixture', 'holdout', 'target.json');
    writeFileSync(target, JSON.stringify({ target: 0 }));
    const again = await openStudy(dir, { create: true });
    repos.defer(() => again.close());
    await expect(again.prepare(new AbortController().signal)).rejects.toMatchObject({ name: 'SetupError', message: expect.stringMatching(/setup output changed since setup wrote it: holdout\/target\.json \(changed\)/) });
  });
});
