import { mkdir, mkdtemp, readdir, rm, symlink, writeFile, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { studyPaths, type StudyPaths } from '../layout/autolab-layout.ts';
import { dropLevelArtifacts, keepLevelArtifacts, resumeFolderOf } from './level-resume.ts';

describe('the artifacts a continued level resumes from', () => {
  let root: string;
  let paths: StudyPaths;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'autolab-level-resume-'));
    paths = studyPaths(root, 'demo');
    await mkdir(paths.artifacts(4), { recursive: true });
    await writeFile(join(paths.artifacts(4), 'checkpoint.pt'), 'step 100');
    await mkdir(paths.repeatFile(4, 1, 'artifacts'), { recursive: true });
    await writeFile(join(paths.repeatFile(4, 1, 'artifacts'), 'checkpoint.pt'), 'step 100, seed 2');
    await writeFile(paths.log(4, 'run'), 'the log stays');
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("keeps every repeat's artifacts of the level below, read-only, and offers each repeat its own (else repeat 0's)", async () => {
    const kept = await keepLevelArtifacts(paths, 4, 's');
    expect(kept.problem).toBeNull();
    expect(kept.source).toEqual({ levelName: 's', dir: paths.levelArtifacts(4, 's') });
    expect((await readdir(paths.trial(4))).sort()).toEqual(['levels', 'run.log']);
    expect(await readFile(join((await resumeFolderOf(kept.source!, 1))!, 'checkpoint.pt'), 'utf8')).toBe('step 100, seed 2');
    expect(await resumeFolderOf(kept.source!, 2)).toBe(join(paths.levelArtifacts(4, 's'), 'artifacts'));
    expect((await stat(join(paths.levelArtifacts(4, 's'), 'artifacts', 'checkpoint.pt'))).mode & 0o222).toBe(0);
  });

  it('is idempotent: a driver killed mid-move (or after it) resumes from the same folder, a new run\'s partial artifacts left alone', async () => {
    await mkdir(`${paths.levelArtifacts(4, 's')}.moving`, { recursive: true });
    await rm(paths.repeatFile(4, 1, 'artifacts'), { recursive: true }); // as if moved already
    await mkdir(join(`${paths.levelArtifacts(4, 's')}.moving`, 'artifacts-r1'));
    await writeFile(join(`${paths.levelArtifacts(4, 's')}.moving`, 'artifacts-r1', 'checkpoint.pt'), 'moved before the kill');
    const first = await keepLevelArtifacts(paths, 4, 's');
    expect((await readdir(first.source!.dir)).sort()).toEqual(['artifacts', 'artifacts-r1']);
    // The run at the next level started (its own artifacts folder) and the driver died: the kept level is taken as it is.
    await mkdir(paths.artifacts(4), { recursive: true });
    await writeFile(join(paths.artifacts(4), 'partial.pt'), 'half of m');
    const again = await keepLevelArtifacts(paths, 4, 's');
    expect(again.source).toEqual(first.source);
    expect(await readFile(join(again.source!.dir, 'artifacts', 'checkpoint.pt'), 'utf8')).toBe('step 100');
    await dropLevelArtifacts(paths, 4);
    expect((await readdir(paths.trial(4))).sort()).toEqual(['artifacts', 'run.log']);
  });

  it('offers nothing when a kept level is not plain data (a link to the held-out labels planted after its seal), or holds no artifacts', async () => {
    await mkdir(paths.holdout, { recursive: true });
    await writeFile(join(paths.holdout, 'labels.json'), '{"secret": 42}');
    await symlink(join(paths.holdout, 'labels.json'), join(paths.artifacts(4), 'labels.json'));
    const kept = await keepLevelArtifacts(paths, 4, 's');
    expect(kept.source).toBeNull();
    expect(kept.problem).toMatch(/not plain data: labels\.json: a symbolic link/);
    const none = await keepLevelArtifacts(paths, 5, 's').catch(async () => {
      await mkdir(paths.trial(5), { recursive: true });
      return keepLevelArtifacts(paths, 5, 's');
    });
    expect(none).toEqual({ source: null, problem: 'no artifacts were left at level s' });
  });
});
