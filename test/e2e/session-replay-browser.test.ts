import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInChromium } from '../../src/testing/chromium-for-tests.ts';
import { openDashboardInChromium, type DashboardInChromium } from '../../src/testing/dashboard-in-chromium.ts';
import { reply } from '../../src/testing/loopback-llm/index.ts';
import { openScriptedStudy, type ScriptedStudy } from '../../src/testing/loopback-llm/scripted-study.ts';
import { fixtureTaskHead } from '../../src/testing/fixture-recipe-task.ts';

/**
 * The session replay page in a real headless Chromium over a real study of the fixture
 * recipe, whose llm specialist talks to the scripted loopback server (the real wire
 * protocol; the replies are scripted, not a model's work): the session that proposed
 * trial #1 replays step by step beside its diff, the Sessions tab lists it, and a trial
 * without a session says so.
 */
const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'recipe');
const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts', 'dashboard');

function taskYaml(url: string): string {
  return [
    ...fixtureTaskHead({ name: 'replay', timeout: '30s' }),
    'surfaces:',
    '  recipe: { paths: [config.json, train.js, lib/] }',
    'specialists:',
    `  - { name: agent, kind: llm, surface: recipe, model: "openai-compatible:loopback", base_url: "${url}", max_steps: 5 }`,
  ].join('\n');
}

describeInChromium('session replay in Chromium', () => {
  let s: ScriptedStudy;
  let view: DashboardInChromium;
  let page: Page;
  let problems: string[] = [];

  beforeAll(async () => {
    s = await openScriptedStudy(FIXTURE, taskYaml, [
      reply.tool('read_file', { path: 'config.json' }),
      reply.tool('edit_file', { path: 'config.json', old_text: '"x": 0', new_text: '"x": 2.5' }),
      reply.tool('submit', { hypothesis: 'move x towards 3: the loss is a parabola' }),
    ]);
    await s.drive(s.specialists('agent'), { trials: 1 });
    // The page asks for trial #0's session on purpose: its 404 is expected.
    view = await openDashboardInChromium({ store: s.study.paths.store, root: s.repoDir, screenshots: ARTIFACTS, ignoreConsole: (text) => text.includes('404') });
    ({ page, problems } = view);
  }, 300_000);

  afterAll(async () => {
    await view?.close();
    await s?.close();
  });

  it('replays the session that proposed a trial step by step, beside its diff', async () => {
    const base = view.base;
    await page.goto(`${base}/studies/replay/trials/1/session`);
    await page.waitForSelector('#replay-steps > li', { state: 'attached', timeout: 20_000 });
    const steps = await page.locator('#replay-steps > li').count();
    // read_file, edit_file, submit: each an assistant message and a tool result.
    expect(steps).toBeGreaterThanOrEqual(6);
    expect(await page.textContent('#replay-position')).toBe(`step ${steps} of ${steps}`);
    expect(await page.textContent('#session-outcome')).toBe('proposed a trial');
    expect(await page.textContent('#session-trial')).toContain('move x towards 3: the loss is a parabola');
    expect(await page.textContent('#session-trial')).toContain('"x": 2.5');
    expect(await page.locator('#session-first').textContent()).toContain("Lineage of study 'replay'");
    await page.screenshot({ path: join(ARTIFACTS, 'session-replay.png'), fullPage: true });

    await page.click('[data-step="first"]');
    expect(await page.textContent('#replay-position')).toBe(`step 0 of ${steps}`);
    expect(await page.locator('#replay-steps > li:visible').count()).toBe(0);
    await page.click('[data-step="next"]');
    await page.click('[data-step="next"]');
    expect(await page.locator('#replay-steps > li:visible').count()).toBe(2);
    expect(await page.locator('#replay-steps > li.current').textContent()).toContain('result of read_file');
    await page.click('[data-step="play"]');
    await page.locator('#replay-position').filter({ hasText: `step ${steps} of ${steps}` }).waitFor({ timeout: 30_000 });
    expect(await page.locator('#replay-steps > li:visible').count()).toBe(steps);
    expect(problems).toEqual([]);
  }, 120_000);

  it('lists the sessions on their tab, and says when a trial has none', async () => {
    const base = view.base;
    await page.goto(`${base}/studies/replay/sessions`);
    await page.waitForSelector('#sessions tbody tr', { timeout: 20_000 });
    expect(await page.locator('#sessions tbody tr').count()).toBe(1);
    expect(await page.textContent('#sessions tbody tr')).toContain('#1');
    await page.click('#sessions tbody tr a[href*="/sessions/"]');
    await page.waitForSelector('#replay-steps > li', { state: 'attached', timeout: 20_000 });
    expect(await page.textContent('#session-trial')).toContain('Trial #1');
    const none = await page.request.get(`${base}/api/studies/replay/trials/0/session`);
    expect(none.status()).toBe(404);
    expect((await none.json()).error).toContain('no archived session proposed trial #0');
    expect(problems).toEqual([]);
  }, 120_000);
});
