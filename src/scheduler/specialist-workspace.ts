import { randomBytes } from 'node:crypto';
import { AutolabError } from '../core/errors.ts';
import { cleanTrialText } from '../core/redact.ts';
import type { ScratchWorktree, SpecialistWorkspace } from '../core/specialist.ts';
import type { StudyRuntime } from '../evaluator/study-runtime.ts';
import { phaseEnv } from '../evaluator/phase-env.ts';
import { git, gitResult } from '../workspace/git.ts';

/** The specialists' file tools over the study's private workspace. */
export function specialistWorkspace(ctx: StudyRuntime): SpecialistWorkspace {
  const commitOf = async (trialId: number): Promise<string> => {
    if (trialId === 0) return ctx.baselineCommit;
    const trial = await ctx.store.getTrial(ctx.studyId, trialId);
    if (!trial?.commit) throw new AutolabError('NotFound', `trial #${trialId} has no commit (${trial ? (trial.label ?? trial.status) : 'no such trial'})`);
    return trial.commit;
  };
  return {
    async createScratch(parentTrialId) {
      const parentCommit = await commitOf(parentTrialId);
      const name = ctx.paths.scratchWorktreeName(process.pid, randomBytes(4).toString('hex'));
      const dir = await ctx.workspace.createWorktree(name, parentCommit);
      let released = false;
      const scratch: ScratchWorktree = {
        dir,
        parent: parentTrialId,
        parentCommit,
        async applyPatch(patch, options = {}) {
          const args = ['apply', '--whitespace=nowarn', '--recount'];
          if (options.threeWay) args.push('--3way');
          const result = await gitResult(args, { cwd: dir, input: patch });
          if (result.exitCode === 0) {
            const unmerged = (await git(['diff', '--name-only', '--diff-filter=U'], { cwd: dir })).trim();
            if (unmerged === '') return { ok: true };
            const conflicts = unmerged.split('\n');
            await git(['checkout', '-f', 'HEAD', '--', '.'], { cwd: dir }).catch(() => undefined);
            await git(['reset', '-q', '--hard', 'HEAD'], { cwd: dir }).catch(() => undefined);
            return { ok: false, error: `merge conflicts in ${conflicts.join(', ')}`, conflicts };
          }
          // git 2.39 prints `Applied patch to 'f' with conflicts.` and `U f` for each conflicted path.
          const output = `${result.stderr}\n${result.stdout.toString('utf8')}`;
          const conflicts = [...new Set([...output.matchAll(/^U (.+)$/gm)].map((match) => match[1]!.trim()).concat([...output.matchAll(/Applied patch to '(.+)' with conflicts/g)].map((match) => match[1]!)))];
          await git(['reset', '-q', '--hard', 'HEAD'], { cwd: dir }).catch(() => undefined);
          return { ok: false, error: result.stderr.trim() || 'the patch does not apply', conflicts };
        },
        async diff() {
          await git(['add', '-A'], { cwd: dir });
          return git(['diff', '--cached', '--binary', '--no-renames', parentCommit], { cwd: dir });
        },
        async changedPaths() {
          await git(['add', '-A'], { cwd: dir });
          const out = await git(['diff', '--cached', '--name-only', '--no-renames', parentCommit], { cwd: dir });
          return out.split('\n').filter((line) => line.length > 0);
        },
        async runPreflight(signal) {
          const preflight = ctx.task.preflight;
          if (!preflight) return { ok: true, output: 'the task declares no preflight' };
          const result = await ctx.executor.run({
            command: preflight.command,
            cwd: dir,
            env: phaseEnv({ task: ctx.task, paths: ctx.paths, studyName: ctx.studyName, trialId: null, seed: ctx.task.seed, phase: 'preflight', gpu: null, owner: ctx.owner }),
            timeoutMs: preflight.timeoutMs,
            outputCapBytes: 256 * 1024,
            logFile: `${dir}.preflight.log`,
            ...(signal ? { signal } : {}),
          });
          const ok = result.exitCode === 0 && !result.timedOut;
          // The output goes to a model: no secrets, no terminal control.
          const output = cleanTrialText(result.outputTail);
          return { ok, output: result.timedOut ? `preflight timed out\n${output}` : output };
        },
        async release() {
          if (released) return;
          released = true;
          await ctx.workspace.removeWorktree(name).catch(() => undefined);
        },
      };
      return scratch;
    },
    async diffBetween(fromTrialId, toTrialId) {
      return ctx.workspace.diffBetween(await commitOf(fromTrialId), await commitOf(toTrialId));
    },
  };
}
