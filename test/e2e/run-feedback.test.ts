import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditEventsOf } from '../../src/core/audit-events.ts';
import { startDashboard } from '../../src/server/serve-dashboard.ts';
import { openStore } from '../../src/store/open-store.ts';
import { chromiumForTests, openTestBrowser } from '../../src/testing/chromium-for-tests.ts';
import { runCli } from '../../src/testing/cli.ts';
import { reply, type RecordedRequest } from '../../src/testing/loopback-llm/index.ts';
import { useScriptedStudies } from '../../src/testing/loopback-llm/scripted-studies.ts';

/**
 * Feedback beyond the score (the task's `feedback:`) in a real study over the fixture
 * recipe (loss (x - 3)^2): the run leaves a timings file in its worktree and a per-layer
 * file in its artifacts, a profile command prints a long report with a secret in it; the
 * `trial.feedback` event holds them redacted and capped, and the next llm session (scripted
 * replies over the loopback server, not a model's work) reads them in its lineage.
 */
const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'recipe');
const studies = useScriptedStudies(FIXTURE);
const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts', 'dashboard');
const SECRET = 'sk-proj-abcdefghijklmnopqrstuvwx0123456789';

const FILES = {
  'leave-feedback.js': [
    "import { writeFileSync } from 'node:fs';",
    "writeFileSync('timings.txt', 'forward 70%\\nbackward 30%\\n');",
    "writeFileSync(`${process.env.AUTOLAB_ARTIFACTS}/layers.txt`, 'layer1 12ms\\nlayer2 40ms\\n');",
  ].join('\n'),
  'profile.js': `console.log('PROFILE START'); console.log('${SECRET}'); console.log('.'.repeat(3000)); console.log('hot: train.js:5 62%');`,
};

function taskYaml(url: string): string {
  return [
    'name: feedback',
    'setup: node prepare.js',
    'objective: { metric: loss, direction: minimize }',
    'run: { command: node train.js && node leave-feedback.js, timeout: 30s }',
    'score: { command: node score.js, timeout: 30s }',
    'protected: [score.js, prepare.js, autolab.yaml, leave-feedback.js, profile.js]',
    'surfaces:',
    '  recipe: { paths: [config.json, train.js, lib/] }',
    'specialists:',
    `  - { name: systems, kind: llm, surface: recipe, model: "openai-compatible:loopback", base_url: "${url}", max_steps: 3 }`,
    'feedback:',
    '  files: [timings.txt, layers.txt, absent.log]',
    '  profile: { command: node profile.js, timeout: 30s }',
    '  max_chars: 600',
  ].join('\n');
}

describe('run feedback beyond the score', () => {
  it('records what the run left and the profile printed (redacted, capped) and shows it in the next lineage', async () => {
    const seen: RecordedRequest[] = [];
    const s = await studies.open(
      taskYaml,
      [
        reply.tool('edit_file', { path: 'config.json', old_text: '"x": 0', new_text: '"x": 2.5' }),
        reply.tool('submit', { hypothesis: 'move x towards 3' }),
        (request) => (seen.push(request), reply.tool('edit_file', { path: 'config.json', old_text: '"x": 2.5', new_text: '"x": 2.9' })),
        reply.tool('submit', { hypothesis: 'closer to 3' }),
      ],
      FILES,
    );
    await s.drive(s.specialists('systems'), { trials: 1 });
    const events = auditEventsOf(await s.study.store.listEvents(s.study.record.id), 'trial.feedback');
    const first = events.find((event) => event.trialId === 1)!;
    expect(first.data.files.map((file) => [file.path, file.text])).toEqual([
      ['timings.txt', 'forward 70%\nbackward 30%\n'],
      ['layers.txt', 'layer1 12ms\nlayer2 40ms\n'],
    ]);
    expect(first.data.missing).toEqual(['absent.log']);
    const profile = first.data.profile!;
    expect(profile).toMatchObject({ command: 'node profile.js', exitCode: 0, timedOut: false, truncated: true });
    expect(profile.text).toContain('PROFILE START');
    expect(profile.text).toContain('hot: train.js:5 62%');
    expect(profile.text).not.toContain(SECRET);
    expect(profile.text.length).toBeLessThan(700);
    // The baseline has its feedback too.
    expect(events.some((event) => event.trialId === 0)).toBe(true);

    await s.drive(s.specialists('systems'), { trials: 1 });
    const lineage = seen[0]!.transcript;
    expect(lineage).toContain('## Run feedback (what the runs left beyond their score)');
    expect(lineage).toContain('### Trial #1: run feedback');
    expect(lineage).toContain('hot: train.js:5 62%');
    expect(lineage).toContain('forward 70%');
    expect(lineage).toContain('Not left by the run: absent.log.');
    expect(lineage).not.toContain(SECRET);

    // `autolab show` prints it with the trial (and `--json` carries it), redacted as recorded.
    const shown = await runCli(['show', '1'], { cwd: s.repoDir });
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain('Trial #1: run feedback');
    expect(shown.stdout).toContain('**profile** (`node profile.js`, exit 0');
    expect(shown.stdout).toContain('hot: train.js:5 62%');
    expect(shown.stdout).toContain('**timings.txt** (25 characters):');
    expect(shown.stdout).toContain('layer2 40ms');
    expect(shown.stdout).toContain('Not left by the run: absent.log.');
    expect(shown.stdout).not.toContain(SECRET);
    const shownJson = JSON.parse((await runCli(['show', '1', '--json'], { cwd: s.repoDir })).stdout) as { feedback: { files: Array<{ path: string }>; missing: string[]; profile: { exitCode: number } } };
    expect(shownJson.feedback.files.map((file) => file.path)).toEqual(['timings.txt', 'layers.txt']);
    expect(shownJson.feedback.missing).toEqual(['absent.log']);
    expect(shownJson.feedback.profile.exitCode).toBe(0);

    // The dashboard's trial page shows it (in Chromium where there is one).
    const served = await openStore(s.study.paths.store);
    const dashboard = await startDashboard({ store: served, root: s.repoDir, port: 0, pollMs: 200 });
    try {
      const base = dashboard.url.replace(/\/$/, '');
      const detail = (await (await fetch(`${base}/api/studies/feedback/trials/1`)).json()) as { events: Array<{ type: string }> };
      expect(detail.events.map((event) => event.type)).toContain('trial.feedback');
      // In Chromium where there is one; in CI it must be there (openTestBrowser throws).
      const browserTests = chromiumForTests();
      if (browserTests.available || browserTests.required) {
        const tb = await openTestBrowser({ screenshots: ARTIFACTS, executablePath: browserTests.executablePath });
        try {
          expect(await tb.visit(`${base}/studies/feedback/trials/1`, '#run-feedback', 'run-feedback')).toEqual([]);
          const card = await tb.page.textContent('#run-feedback');
          expect(card).toContain('hot: train.js:5 62%');
          expect(card).toContain('timings.txt');
          expect(card).toContain('Not left by the run: absent.log.');
        } finally {
          await tb.close();
        }
      }
    } finally {
      await dashboard.close();
      await served.close();
    }
  }, 300_000);
});
