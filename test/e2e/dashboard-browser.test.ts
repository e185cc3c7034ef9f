import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openStudy, type Study } from '../../src/engine/open-study.ts';
import { describeInChromium } from '../../src/testing/chromium-for-tests.ts';
import { openDashboardInChromium, type DashboardInChromium } from '../../src/testing/dashboard-in-chromium.ts';
import { makePatch, makeRecipeRepo, readText } from '../../src/testing/recipe-repo.ts';

/**
 * The dashboard in a real headless Chromium (Debian's `chromium`, driven by
 * playwright-core) over a real study of the fixture recipe: every page loads without a
 * console error, a trial finishing in another connection appears without a reload, and
 * screenshots are kept under test-artifacts/dashboard/.
 */
const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'recipe');
const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts', 'dashboard');

describeInChromium('dashboard in Chromium', () => {
  let repo: { dir: string; cleanup: () => Promise<void> };
  let study: Study;
  let view: DashboardInChromium;
  let page: Page;
  let problems: string[] = [];
  const signal = new AbortController().signal;

  const visit = async (path: string, ready: string, shot: string) => {
    expect(await view.visit(path, ready, shot), `console errors on ${path}`).toEqual([]);
  };

  beforeAll(async () => {
    repo = await makeRecipeRepo(FIXTURE);
    study = await openStudy(repo.dir, { create: true });
    await study.prepare(signal);
    const train = await readText(repo.dir, 'train.js');
    const submit = async (patch: string, hypothesis: string, parent: number, specialist: string) => study.submit({ specialist, parent, hypothesis, edit: { kind: 'patch', patch } }, signal);
    await submit(await makePatch(repo.dir, { 'config.json': '{ "x": 2.5 }\n' }), 'move x towards 3', 0, 'manual');
    await submit(await makePatch(repo.dir, { 'config.json': '{ "x": 4.5 }\n' }), 'overshoot x', 0, 'tuner');
    await submit('diff --git a/config.json b/config.json\n--- a/config.json\n+++ b/config.json\n@@ -1 +1 @@\n-{ "x": 2.5 }\n+{ "x": 2.9 }\n', 'closer still', 1, 'tuner');
    await submit(await makePatch(repo.dir, { 'train.js': train + '\nthrow new Error("diverged at step 7");\n' }), 'crash it', 0, 'manual');
    view = await openDashboardInChromium({ store: study.paths.store, root: repo.dir, screenshots: ARTIFACTS });
    ({ page, problems } = view);
  });

  afterAll(async () => {
    await view?.close();
    await study?.close();
    await repo?.cleanup();
  });

  it('lists the studies', async () => {
    await visit('/', '#studies-table [data-study="fixture"]', 'studies');
    expect(await page.textContent('#studies-table')).toContain('0.01');
    expect(await page.isVisible('#live')).toBe(false); // no study followed here
  });

  it('shows the overview: score plot, slot timeline, outcomes, specialists, chain', async () => {
    await visit('/studies/fixture', '#score-plot svg [data-trial="3"]', 'overview');
    expect(await page.locator('#score-plot svg [data-trial]').count()).toBe(5);
    await page.waitForSelector('#timeline svg rect[data-trial]');
    expect(await page.locator('#timeline svg rect[data-trial]').count()).toBe(5);
    expect(await page.textContent('#utilisation')).toMatch(/slot utilisation \d+(\.\d)?%/);
    expect(await page.textContent('#outcomes')).toContain('crash');
    expect(await page.textContent('#specialists')).toMatch(/tuner[\s\S]*manual|manual[\s\S]*tuner/);
    expect(await page.locator('#chain [data-trial-id]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-trial-id')))).toEqual(['0', '1', '3']);
    expect(await page.textContent('#stat-incumbent')).toContain('#3');
  });

  it('sorts and filters the trials table', async () => {
    await visit('/studies/fixture/trials', '#trials-body [data-trial-id="4"]', 'trials');
    expect(await page.locator('#trials-body tr').count()).toBe(5);
    await page.selectOption('select[name="status"]', 'failed');
    await page.waitForFunction("document.querySelectorAll('#trials-body tr').length === 1");
    expect(await page.textContent('#trials-body')).toContain('crash');
    expect(page.url()).toContain('status=failed');
    await page.selectOption('select[name="status"]', '');
    await page.click('th[data-sort="score"]');
    await page.waitForFunction("document.querySelector('#trials-body tr')?.getAttribute('data-trial-id') === '3'");
    expect(problems).toEqual([]);
  });

  it('shows a failed trial: label with raw detail, excerpt, full log, side-by-side diff', async () => {
    await visit('/studies/fixture/trials/4', '#label-detail', 'trial-crash');
    expect(await page.textContent('#label-detail')).toContain('diverged at step 7');
    expect(await page.textContent('#hypothesis')).toBe('crash it');
    await page.click('button[data-log="run.log"]');
    await page.waitForSelector('pre[data-log-text="run.log"]');
    expect(await page.textContent('pre[data-log-text="run.log"]')).toContain('diverged at step 7');
    expect(await page.locator('#diff-parent .diff td.add').count()).toBeGreaterThan(0);
    expect(problems).toEqual([]);
  });

  it('diffs a trial against any other, from git', async () => {
    await visit('/studies/fixture/trials/3', '#diff-parent .diff', 'trial-kept');
    expect(await page.textContent('#children')).toContain('none');
    await page.fill('input[name="against"]', '2');
    await page.click('#diff-form button[type="submit"]');
    await page.waitForSelector('#diff-other .diff[data-file="config.json"]');
    expect(await page.textContent('#diff-other')).toContain('git diff from #2 to #3');
    expect(await page.textContent('#diff-other .diff')).toContain('"x": 4.5');
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: join(ARTIFACTS, 'trial-diff-against.png'), fullPage: true });
    expect(problems).toEqual([]);
  });

  it('draws the lineage with the chain to the incumbent', async () => {
    await visit('/studies/fixture/lineage', '#lineage-tree svg [data-trial="3"]', 'lineage');
    expect(await page.locator('#lineage-tree svg [data-trial]').count()).toBe(5);
  });

  it('shows a trial that finishes in another connection, live, without a reload', async () => {
    await visit('/studies/fixture', '#score-plot svg', 'live-before');
    await page.waitForSelector('#live:not([hidden]):not(.off)', { state: 'visible' });
    await page.evaluate("window.marker = 'same page'");
    const trial = await study.submit({ specialist: 'tuner', parent: 3, hypothesis: 'exactly three', edit: { kind: 'patch', patch: 'diff --git a/config.json b/config.json\n--- a/config.json\n+++ b/config.json\n@@ -1 +1 @@\n-{ "x": 2.9 }\n+{ "x": 3 }\n' } }, signal);
    expect(trial).toMatchObject({ id: 5, status: 'kept' });
    await page.waitForSelector('#recent [data-trial-id="5"]', { timeout: 15_000 });
    await page.waitForSelector('#score-plot svg [data-trial="5"]');
    await page.waitForFunction("document.querySelector('#stat-incumbent')?.textContent?.includes('#5')");
    expect(await page.evaluate('window.marker')).toBe('same page');
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: join(ARTIFACTS, 'live-after.png'), fullPage: true });
    // Client-side navigation keeps the page too.
    await page.click('.tabs a:has-text("Trials")');
    await page.waitForSelector('#trials-body [data-trial-id="5"]');
    expect(await page.evaluate('window.marker')).toBe('same page');
    expect(problems).toEqual([]);
  });
});
