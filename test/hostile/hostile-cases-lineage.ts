/**
 * Hostile cases about legality and the study's state: laundering an illegal edit by
 * building on it or exporting it, swapping the task's legality checker, planting files
 * under `.autolab/` to be checked out by `export`, a symlink in the edit, and the study
 * state itself: a task file changed between a reading and a running command, an empty
 * store file.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutolabError } from '../../src/core/errors.ts';
import { evaluateTrial } from '../../src/evaluator/evaluate-trial.ts';
import { exportCommand } from '../../src/cli/commands/export.ts';
import { submitCommand } from '../../src/cli/commands/submit.ts';
import { openStudy } from '../../src/engine/open-study.ts';
import { gitIn } from '../../src/testing/recipe-repo.ts';
import { X1, describeTrial as describe, newFilesPatch, verdict, type HostileCase, type HostileTools } from './hostile-case-kit.ts';

/** The error `work` throws (its name and message), or null when it does not. */
async function refusal(work: () => Promise<unknown>): Promise<{ name: string; message: string } | null> {
  try {
    await work();
    return null;
  } catch (error) {
    return { name: AutolabError.is(error) ? error.name : 'Error', message: error instanceof Error ? error.message : String(error) };
  }
}

/** An illegal trial: it replaces the protected score script. */
async function illegalTrial(tools: HostileTools) {
  return tools.submit({ 'config.json': X1, 'score.js': 'console.log(JSON.stringify({ loss: 0, size: 1 }));\n' }, { hypothesis: 'replaces the score script' });
}

function userBranches(repoDir: string): string[] {
  return gitIn(repoDir, ['branch', '--format=%(refname:short)']).split('\n').filter(Boolean);
}

export const LINEAGE_CASES: HostileCase[] = [
  {
    name: 'launder-submit-parent',
    threat: 'builds a legal-looking child on an illegal trial (submit --parent), to inherit its replaced score script',
    withoutSandbox: 'contained',
    scenario: async (tools) => {
      const illegal = await illegalTrial(tools);
      const patch = join(tmpdir(), `${tools.ctx.tag}-launder.patch`);
      writeFileSync(patch, CHILD_PATCH);
      const before = (await tools.study.trials()).length;
      // The CLI's submit command (as `autolab submit PATCH --parent N` runs it).
      const refused = await refusal(() => submitCommand(patch, { task: tools.ctx.repoDir, parent: String(illegal.id), hypothesis: 'a harmless child', json: true }));
      const after = (await tools.study.trials()).length;
      const ok = illegal.label === 'illegal_edit' && refused?.name === 'IllegalLineage' && after === before;
      const why = `#${illegal.id} ${describe(illegal)}; submit --parent #${illegal.id}: ${refused ? `${refused.name}: ${firstLine(refused.message)}` : 'ACCEPTED'}; ${after - before} trial(s) recorded`;
      return { ...verdict(ok, 'lineage', why), trial: illegal };
    },
  },
  {
    name: 'launder-scheduler-path',
    threat: 'a child of an illegal trial reaching the engine another way (the scheduler, a worker, the llm rebase tool): the legality step itself must refuse it',
    withoutSandbox: 'contained',
    scenario: async (tools) => {
      const illegal = await illegalTrial(tools);
      const { runtime } = await tools.study.prepare(new AbortController().signal);
      const draft = await tools.study.store.createTrial(tools.study.record.id, {
        specialist: 'manual',
        parent: illegal.id,
        hypothesis: 'a harmless child, created past submit',
        notes: '',
        expectedDelta: null,
        seed: tools.study.task.seed,
        edit: { kind: 'patch', patch: CHILD_PATCH },
        cost: null,
        owner: runtime.owner,
      });
      const child = await evaluateTrial(runtime, draft, { index: 0, gpu: null }, new AbortController().signal);
      const ok = child.label === 'illegal_edit' && /builds on trial #\d+, an illegal edit/.test(child.labelDetail ?? '') && child.score === null && child.timings.runMs === undefined;
      return { ...verdict(ok, 'lineage', `child #${child.id} of #${illegal.id}: ${describe(child)}: ${firstLine(child.labelDetail ?? '')}`), trial: child };
    },
  },
  {
    name: 'launder-export',
    threat: 'has its illegal trial (a replaced score script) handed to the user by export --branch',
    withoutSandbox: 'contained',
    scenario: async (tools) => {
      const illegal = await illegalTrial(tools);
      const branch = `hostile-${tools.ctx.tag}`;
      const refused = await refusal(() => exportCommand(String(illegal.id), { task: tools.ctx.repoDir, branch }));
      const noBranch = !userBranches(tools.ctx.repoDir).includes(branch);
      const ok = refused?.name === 'IllegalLineage' && noBranch;
      return { ...verdict(ok, 'lineage', `export #${illegal.id}: ${refused ? `${refused.name}: ${refused.message.slice(0, 100)}` : 'EXPORTED'}; ${noBranch ? 'no branch made' : 'BRANCH MADE'}`), trial: illegal };
    },
  },
  {
    name: 'export-unjudged-trial',
    threat: 'has a trial that never finished its legality check (the driver died after materialising it) and whose tree replaces the score script exported',
    withoutSandbox: 'contained',
    scenario: async (tools) => {
      const illegal = await illegalTrial(tools);
      const { store, record } = tools.study;
      const draft = await store.createTrial(record.id, { specialist: 'manual', parent: 0, hypothesis: 'interrupted after materialise', seed: 0, edit: null, owner: null });
      const outcome = { status: 'failed' as const, label: 'interrupted' as const, labelDetail: 'the driver died during legality', metrics: {}, score: null, timings: {}, logExcerpt: '', commit: illegal.commit, tree: illegal.tree, diff: illegal.diff };
      const unjudged = await store.finishTrial(record.id, draft.id, outcome, () => false);
      const branch = `hostile-${tools.ctx.tag}-unjudged`;
      const refused = await refusal(() => exportCommand(String(unjudged.id), { task: tools.ctx.repoDir, branch }));
      const noBranch = !userBranches(tools.ctx.repoDir).includes(branch);
      const ok = unjudged.label === 'interrupted' && refused?.name === 'IllegalLineage' && noBranch;
      return { ...verdict(ok, 'lineage', `export #${unjudged.id} (${describe(unjudged)}): ${refused ? `${refused.name}: ${refused.message.slice(0, 110)}` : 'EXPORTED'}; ${noBranch ? 'no branch made' : 'BRANCH MADE'}`), trial: unjudged };
    },
  },
  {
    name: 'swap-legality-checker',
    threat: "replaces the task's legality checker (check.sh, not a protected path) so that a forbidden edit passes",
    withoutSandbox: 'contained',
    edit: (ctx) => ({
      'config.json': X1,
      'check.sh': 'exit 0\n',
      'train.js': `// FORBIDDEN_MARKER\n${ctx.train}`,
    }),
    judge: (trial) =>
      verdict(
        trial.label === 'illegal_edit' && /legality command rejected the edit: [^\n]*forbidden marker/.test(trial.labelDetail ?? '') && trial.timings.runMs === undefined,
        'legality',
        `${describe(trial)}: ${firstLine(trial.labelDetail ?? '')}`,
      ),
  },
  {
    name: 'plant-autolab-state',
    threat: 'plants files under .autolab/ in its diff (the held-out target, the private repo config) to be checked out after export --branch',
    withoutSandbox: 'contained',
    patch: () =>
      newFilesPatch({
        '.autolab/studies/fixture/holdout/planted.json': '{ "target": 1 }\n',
        '.autolab/repo.git/config.planted': '[core]\n\tfsmonitor = ./pwn.sh\n',
        'lib/.autolab/autolab.yaml': 'name: planted\n',
      }),
    judge: async (trial, ctx, _elapsed, tools) => {
      const planted = existsSync(join(ctx.stateDir, 'studies', 'fixture', 'holdout', 'planted.json')) || existsSync(join(ctx.stateDir, 'repo.git', 'config.planted'));
      const illegal = trial.label === 'illegal_edit' && /\.autolab' folder/.test(trial.labelDetail ?? '');
      // The last guard: the workspace's export itself refuses such a diff, whatever the lineage check says.
      const workspace = await tools.study.workspace();
      const branch = `hostile-${ctx.tag}-state`;
      const guard = trial.commit === null ? { name: 'none', message: 'no commit' } : await refusal(() => workspace.exportBranch(trial.commit!, branch, 'planted'));
      const ok = illegal && !planted && guard?.name === 'ExportError' && !userBranches(ctx.repoDir).includes(branch);
      return verdict(ok, 'legality', `${describe(trial)}; export guard: ${guard ? guard.name : 'EXPORTED'}; ${planted ? 'a file was PLANTED in the state' : 'nothing planted'}`);
    },
  },
  {
    name: 'symlink-in-edit',
    threat: 'commits a symbolic link to the held-out target, for the run to read through it',
    withoutSandbox: 'contained',
    edit: (ctx) => ({ 'config.json': X1, 'lib/target.json': { symlink: join(ctx.stateDir, 'studies', 'fixture', 'holdout', 'target.json') } }),
    judge: (trial) =>
      verdict(trial.label === 'illegal_edit' && /lib\/target\.json/.test(trial.labelDetail ?? '') && trial.timings.runMs === undefined, 'legality', `${describe(trial)}: ${firstLine(trial.labelDetail ?? '')}`),
  },
  {
    name: 'changed-task-file-after-read',
    threat: 'a gate loosened in the task file, then a reading command (status), then a run: the study must not resume under the new rules',
    withoutSandbox: 'contained',
    scenario: async (tools) => {
      const taskFile = join(tools.ctx.repoDir, 'autolab.yaml');
      const original = readFileSync(taskFile, 'utf8');
      const hashBefore = (await tools.study.store.getStudy(tools.study.name))?.taskHash;
      writeFileSync(taskFile, original.replace('size <= 4096', 'size <= 1e9'));
      try {
        const reader = await openStudy(tools.ctx.repoDir);
        const listed = (await reader.trials()).length;
        const submitted = await refusal(() => reader.submit({ specialist: 'manual', parent: 0, hypothesis: 'under the loosened gate', edit: { kind: 'patch', patch: CONFIG_X1_PATCH } }, new AbortController().signal));
        await reader.close();
        const run = await refusal(async () => (await openStudy(tools.ctx.repoDir, { create: true })).close());
        const hashAfter = (await tools.study.store.getStudy(tools.study.name))?.taskHash;
        const ok = listed > 0 && submitted?.name === 'TaskChanged' && run?.name === 'TaskChanged' && hashAfter === hashBefore;
        return { ...verdict(ok, 'state', `read ${listed} trials; submit: ${submitted?.name ?? 'RAN'}; run: ${run?.name ?? 'RAN'}; judging hash ${hashAfter === hashBefore ? 'unchanged' : 'REWRITTEN'}`), trial: null };
      } finally {
        writeFileSync(taskFile, original);
      }
    },
  },
  {
    name: 'zero-byte-store',
    threat: 'an empty store file (truncated, or made by a trial): opening it must not start a new study over the old trial folders',
    withoutSandbox: 'contained',
    scenario: async (tools) => {
      const empty = join(tools.ctx.stateDir, '..', `hostile-${tools.ctx.tag}-empty.db`);
      writeFileSync(empty, '');
      const trialsDir = join(tools.ctx.stateDir, 'studies', 'fixture', 'trials');
      const before = readdirSync(trialsDir).sort().join(',');
      const opened = await refusal(async () => (await openStudy(tools.ctx.repoDir, { create: true, store: empty })).close());
      const after = readdirSync(trialsDir).sort().join(',');
      const stillEmpty = readFileSync(empty).length === 0;
      const ok = opened?.name === 'StoreError' && stillEmpty && before === after;
      return { ...verdict(ok, 'state', `open: ${opened ? `${opened.name}: ${opened.message.slice(0, 90)}` : 'OPENED'}; file ${stillEmpty ? 'left empty' : 'WRITTEN'}; trial folders ${before === after ? 'untouched' : 'CHANGED'}`), trial: null };
    },
  },
];

/** A harmless patch against the baseline (x = 1), as git makes it. */
const CONFIG_X1_PATCH = ['diff --git a/config.json b/config.json', '--- a/config.json', '+++ b/config.json', '@@ -1,3 +1 @@', '-{', '-  "x": 0', '-}', `+${X1.trim()}`, ''].join('\n');

/** A harmless patch against an illegal trial of `illegalTrial` (x = 1 to x = 2). */
const CHILD_PATCH = ['diff --git a/config.json b/config.json', '--- a/config.json', '+++ b/config.json', '@@ -1 +1 @@', `-${X1.trim()}`, '+{ "x": 2 }', ''].join('\n');

function firstLine(text: string): string {
  return text.split('\n')[0]!.slice(0, 140);
}
