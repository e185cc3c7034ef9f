/**
 * Continued ladders (`fidelity: { continue: true }`): a promoted trial's run at level L
 * resumes from what it left at level L-1 instead of starting over. Before the run at L,
 * the trial's artifacts folders of L-1 (one per repeat) are moved, as they are, to
 * `trials/<id>/levels/<L-1>/` and checked again as the score checks them (only regular
 * files and folders, read-only); the run sees its repeat's folder (else repeat 0's)
 * read-only as `$AUTOLAB_RESUME_FROM`, and `$AUTOLAB_RESUME_LEVEL` names the level.
 *
 * What it holds is the trial's own data, already sealed and size-checked at L-1 (a link
 * to the held-out data or a file over `max_artifact_bytes` failed the trial there, so it
 * never climbs); it is mounted read-only in the sandbox, the score never reads it, and it
 * is removed once level L is measured. The move is idempotent, so a driver killed between
 * it and the run (or mid-run) resumes from the same folder.
 */
import { lstat, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { StudyPaths } from '../layout/autolab-layout.ts';
import { sealArtifacts } from './artifact-seal.ts';

/** The artifacts a continued level resumes from. */
export interface ResumeSource {
  /** The level the artifacts come from (its name). */
  levelName: string;
  /** `trials/<id>/levels/<level>`: `artifacts` (repeat 0), `artifacts-r<k>` (repeat k). */
  dir: string;
}

/** Artifacts folders of a trial's repeats: `artifacts`, `artifacts-r1`, ... */
const ARTIFACTS_FOLDER = /^artifacts(-r\d+)?$/;

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(() => true, () => false);
}

/**
 * Keeps the trial's artifacts of `levelName` (the level below the one about to run) in
 * `levels/<levelName>/`, checked; returns the source, or null with `problem` when nothing
 * can be offered (no artifacts, or artifacts that are not plain data).
 *
 * @example
 * const source = await keepLevelArtifacts(paths, 7, 's'); // { source: { levelName: 's', dir: '.../trials/7/levels/s' }, problem: null }
 */
export async function keepLevelArtifacts(paths: StudyPaths, trialId: number, levelName: string): Promise<{ source: ResumeSource | null; problem: string | null }> {
  const dir = paths.levelArtifacts(trialId, levelName);
  if (!(await exists(dir))) {
    const staging = `${dir}.moving`;
    await mkdir(staging, { recursive: true });
    const trialDir = paths.trial(trialId);
    for (const name of await readdir(trialDir)) {
      if (!ARTIFACTS_FOLDER.test(name) || (await exists(join(staging, name)))) continue;
      await rename(join(trialDir, name), join(staging, name));
    }
    await rename(staging, dir);
  }
  const names = (await readdir(dir)).filter((name) => ARTIFACTS_FOLDER.test(name));
  if (names.length === 0) return { source: null, problem: `no artifacts were left at level ${levelName}` };
  // Sealed at the level below already; checked again, as nothing of the trial may be offered that the score would refuse.
  for (const name of names) {
    const sealed = await sealArtifacts(join(dir, name));
    if (sealed.problems.length > 0) return { source: null, problem: `the artifacts of level ${levelName} are not plain data: ${sealed.problems.join('; ')}` };
  }
  return { source: { levelName, dir }, problem: null };
}

/**
 * The folder repeat `repeat` resumes from: its own repeat's artifacts at the level below,
 * else repeat 0's; null when neither exists.
 *
 * @example await resumeFolderOf(source, 2) // '.../levels/s/artifacts-r2', or '.../levels/s/artifacts'
 */
export async function resumeFolderOf(source: ResumeSource, repeat: number): Promise<string | null> {
  const own = join(source.dir, repeat === 0 ? 'artifacts' : `artifacts-r${repeat}`);
  if (await exists(own)) return own;
  const first = join(source.dir, 'artifacts');
  return (await exists(first)) ? first : null;
}

/**
 * Removes every kept level of a trial once a level above is measured (the next level keeps
 * this one's artifacts anew), a folder a killed driver left behind included. Never throws.
 */
export async function dropLevelArtifacts(paths: StudyPaths, trialId: number): Promise<void> {
  await rm(dirname(paths.levelArtifacts(trialId, 'any')), { recursive: true, force: true }).catch(() => undefined);
}
