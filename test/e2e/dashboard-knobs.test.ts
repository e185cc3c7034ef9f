import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bestCommand } from '../../src/cli/commands/inspect.ts';
import { openStudy, type Study } from '../../src/engine/open-study.ts';
import { writeStudyReport } from '../../src/report/write-report.ts';
import { writeSyntheticStudy } from '../../src/testing/synthetic-study.ts';
import { describeInChromium } from '../../src/testing/chromium-for-tests.ts';
import { openDashboardInChromium, type DashboardInChromium } from '../../src/testing/dashboard-in-chromium.ts';
import { runCli } from '../../src/testing/cli.ts';
import { makePatch, makeRecipeRepo, readText } from '../../src/testing/recipe-repo.ts';

/**
 * The knob views in a real headless Chromium over a real study: the knobs fixture run by
 * `autolab run` (a random-search knobs specialist, crashes above lr 0.2) plus a trial
 * edited by hand (its knob values read from its files at its commit), and a synthetic
 * study of 2,000 trials (AUTOLAB_TEST_LARGE_STUDY) in the same store for the views at scale. Every page loads
 * without a console error; screenshots go to test-artifacts/dashboard-knobs/.
 */
const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'knobs-recipe');
const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts', 'dashboard-knobs');
const TRIALS = 24;
// 2,000 trials exercise every at-scale path (the lineage collapses above 300) within the
// suite's time; bench:dashboard measures 10,000 (AUTOLAB_TEST_LARGE_STUDY=10000 here too).
const LARGE = Number(process.env.AUTOLAB_TEST_LARGE_STUDY ?? 2_000);

describeInChromium('knob views in Chromium', () => {
  let repo: { dir: string; cleanup: () => Promise<void> };
  let study: Study;
  let view: DashboardInChromium;
  let page: Page;
  let problems: string[] = [];

  const visit = async (path: string, ready: string, shot: string) => {
    expect(await view.visit(path, ready, shot), `console errors on ${path}`).toEqual([]);
  };

  beforeAll(async () => {
    repo = await makeRecipeRepo(FIXTURE);
    const run = await runCli(['run', repo.dir, '--trials', String(TRIALS)]);
    expect(run.code, run.stderr).toBe(0);
    study = await openStudy(repo.dir);
    const signal = new AbortController().signal;
    const train = await readText(repo.dir, 'train.js');
    // A hand-made trial: no knobs line in its notes, so its values come from its files.
    const edited = await study.submit({ specialist: 'manual', parent: 0, hypothesis: 'lower the momentum by hand', edit: { kind: 'patch', patch: await makePatch(repo.dir, { 'train.js': train.replace('const momentum = 0.9;', 'const momentum = 0.5;') }) } }, signal);
    expect(edited.status).not.toBe('failed');
    view = await openDashboardInChromium({ store: study.paths.store, root: repo.dir, screenshots: ARTIFACTS, seed: (store) => writeSyntheticStudy(store, { name: 'large', trials: LARGE, slots: 8 }) });
    ({ page, problems } = view);
  }, 600_000);

  afterAll(async () => {
    await view?.close();
    await study?.close();
    await repo?.cleanup();
  });

  it('shows which knobs matter, the objective against each knob, and parallel coordinates', async () => {
    await visit('/studies/knobs/knobs', '#parallel svg .pc-axis', 'knobs');
    expect(await page.textContent('#importance-description')).toMatch(/^fANOVA \(functional ANOVA/);
    // The loss depends on lr most: its bar comes first.
    expect(await page.locator('#importance svg [data-knob]').first().getAttribute('data-knob')).toBe('lr');
    const slices = await page.textContent('#slices svg');
    for (const knob of ['lr (log)', 'width (log) · int', 'act', 'momentum']) expect(slices).toContain(knob);
    // failures are marked by their cause (the signature's summary), not only their label
    expect(slices).toMatch(/crash Error: loss diverged to NaN/);
    // Every finished trial is on the plots, the hand-made one included (its values read from git).
    expect(await page.locator('#slices svg [data-trial]').count()).toBeGreaterThan(4 * (TRIALS - 4));
    expect(await page.locator(`#slices svg [data-trial="${TRIALS + 1}"]`).count()).toBeGreaterThanOrEqual(4);
  });

  it('brushes a range on an axis and lists the trials inside it', async () => {
    await visit('/studies/knobs/knobs', '#parallel svg .pc-axis', 'knobs-before-brush');
    await page.locator('#parallel').scrollIntoViewIfNeeded();
    const box = (await page.locator('#parallel .pc-axis[data-axis="lr"] .pc-target').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height * 0.2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height * 0.5, { steps: 5 });
    await page.mouse.move(box.x + box.width / 2, box.y + box.height * 0.75, { steps: 5 });
    await page.mouse.up();
    await page.waitForSelector('#brush-count');
    const count = Number((await page.textContent('#brush-count'))!.match(/\d+/)![0]);
    expect(count).toBeGreaterThan(0);
    await page.locator('#parallel').screenshot({ path: join(ARTIFACTS, 'knobs-brushed.png') });
    await page.click('#brush-link');
    await page.waitForSelector('#filter-chip');
    await page.waitForSelector('#trials-body [data-trial-id]');
    expect(page.url()).toContain('filter=knob%3Alr%3A');
    expect(await page.textContent('#total')).toBe(`${count} matching`);
    const [, low, high] = /knob:lr:([\d.e-]+)\.\.([\d.e-]+)/.exec((await page.textContent('#filter-chip'))!)!;
    const lrColumn = await page.locator('#trials-head th').evaluateAll((cells) => cells.findIndex((cell) => cell.getAttribute('data-sort') === 'knob:lr'));
    const values = await page.locator('#trials-body tr').evaluateAll((rows, column) => rows.map((row) => Number(row.children[column]!.textContent)), lrColumn);
    for (const value of values) {
      expect(value).toBeGreaterThanOrEqual(Number(low) * 0.9999);
      expect(value).toBeLessThanOrEqual(Number(high) * 1.0001);
    }
    await page.screenshot({ path: join(ARTIFACTS, 'trials-brushed.png'), fullPage: true });
    expect(problems).toEqual([]);
  });

  it('shows each trial\'s knob values and any metric as sortable columns', async () => {
    await visit('/studies/knobs/trials', '#trials-head th[data-sort="knob:lr"]', 'trials-knobs');
    for (const knob of ['lr', 'width', 'act', 'momentum']) expect(await page.locator(`#trials-head th[data-sort="knob:${knob}"]`).count()).toBe(1);
    await page.click('th[data-sort="knob:lr"]');
    await page.waitForFunction("document.querySelector('th.sorted')?.getAttribute('data-sort') === 'knob:lr'");
    const lrColumn = await page.locator('#trials-head th').evaluateAll((cells) => cells.findIndex((cell) => cell.getAttribute('data-sort') === 'knob:lr'));
    const lrs = await page.locator('#trials-body tr').evaluateAll((rows, column) => rows.map((row) => Number(row.children[column]!.textContent)), lrColumn);
    expect(lrs).toEqual([...lrs].sort((a, b) => a - b));
    // The columns menu adds a metric.
    await page.click('#columns-menu summary');
    await page.check('input[value="metric:params"]');
    await page.waitForSelector('#trials-head th[data-sort="metric:params"]');
    expect(page.url()).toContain('columns=');
    await page.click('#columns-menu summary');
    await page.screenshot({ path: join(ARTIFACTS, 'trials-columns.png'), fullPage: true });
    expect(problems).toEqual([]);
  });

  it("shows the incumbent's whole configuration and cumulative diff against the baseline", async () => {
    await visit('/studies/knobs', '#incumbent-config', 'overview-incumbent');
    expect(await page.locator('#incumbent-config tbody tr').count()).toBe(4);
    expect(await page.locator('#incumbent-config tr.changed').count()).toBeGreaterThan(0);
    await page.click('#cumulative-diff summary');
    await page.waitForSelector('#cumulative-diff .diff[data-file="config.json"]');
    await page.locator('#incumbent-card').screenshot({ path: join(ARTIFACTS, 'overview-incumbent-card.png') });
    expect(problems).toEqual([]);
  });

  it('draws a small lineage large and labelled, its legend in the colours of its marks', async () => {
    await visit('/studies/knobs/lineage', '#lineage-tree svg [data-trial]', 'lineage-small');
    expect(await page.locator('#lineage-tree svg g[data-trial], #lineage-tree svg circle[data-trial]').count()).toBe(TRIALS + 2);
    // Each legend entry ("crash 2", "kept 3", ...) has the fill of the marks of its outcome.
    const pairs = (await page.evaluate(`(() => {
      const svg = document.querySelector('#lineage-tree svg');
      return [...svg.querySelectorAll('text')].map((text) => /^([a-z_]+) \\d+$/.exec(text.textContent || '')).filter(Boolean).map((match) => {
        const swatch = [...svg.querySelectorAll('text')].find((text) => text.textContent === match[0]).previousElementSibling.getAttribute('fill');
        const marks = [...svg.querySelectorAll('title')].filter((title) => title.textContent.split(' · ')[1] === match[1]).map((title) => title.parentElement.querySelector('circle')?.getAttribute('fill') ?? title.parentElement.getAttribute('fill'));
        return { outcome: match[1], swatch, marks };
      });
    })()`)) as Array<{ outcome: string; swatch: string; marks: string[] }>;
    expect(pairs.map((pair) => pair.outcome)).toEqual(expect.arrayContaining(['kept', 'discarded']));
    for (const pair of pairs) {
      expect(pair.marks.length, pair.outcome).toBeGreaterThan(0);
      for (const fill of pair.marks) expect(fill, pair.outcome).toBe(pair.swatch);
    }
  });

  it(`keeps the lineage readable at ${LARGE.toLocaleString('en')} trials: collapsed, and opening on a click`, async () => {
    await visit('/studies/large/lineage', '#lineage-tree svg [data-expand]', 'lineage-large');
    const rows = await page.locator('#lineage-tree svg [data-trial], #lineage-tree svg g[data-expand]').count();
    expect(rows).toBeLessThan(3000);
    const fold = page.locator('#lineage-tree svg g[data-expand^="fold:"]').first();
    const key = await fold.getAttribute('data-expand');
    await fold.click();
    await page.waitForFunction(`!document.querySelector('#lineage-tree svg g[data-expand="${key}"]')`);
    await page.click('#lineage-buttons [data-action="all"]');
    await page.waitForFunction("!document.querySelector('#lineage-tree svg g[data-expand]')", undefined, { timeout: 60_000 });
    expect(problems).toEqual([]);
  });

  it(`draws the knob views and sorts by a knob at ${LARGE.toLocaleString('en')} trials`, async () => {
    await visit('/studies/large/knobs', '#parallel svg .pc-axis', 'knobs-large');
    await visit('/studies/large/trials?sort=knob:lr&order=asc', '#trials-head th.sorted[data-sort="knob:lr"]', 'trials-large');
  });

  it('puts the same views in the report, and `autolab best` prints the configuration and the cumulative diff', async () => {
    const workspace = await study.workspace();
    const written = await writeStudyReport({
      store: study.store,
      study: study.record,
      objective: study.task.objective,
      outDir: join(ARTIFACTS, 'report'),
      incumbentPatch: async (incumbent) => (incumbent.commit ? (await workspace.exportPatch(incumbent.commit)).patch : null),
      files: (requests, known) => workspace.readFilesAt(requests, known),
    });
    const html = await readFile(written.html, 'utf8');
    expect(html).toContain("The incumbent's configuration against the baseline");
    expect(html).toMatch(/knobs changed: .*lr 0\.001 →/);
    problems.length = 0;
    await page.goto(pathToFileURL(written.html).href);
    await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true });
    expect(problems).toEqual([]);

    const out: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string) => (out.push(String(chunk)), true)) as typeof process.stdout.write;
    try {
      expect(await bestCommand(repo.dir, {})).toBe(0);
      expect(await bestCommand(repo.dir, { json: true })).toBe(0);
    } finally {
      process.stdout.write = write;
    }
    const [text, json] = out;
    expect(text).toMatch(/configuration: \d of 4 knobs changed/);
    expect(text).toContain('cumulative diff against the baseline');
    expect(text).toContain('--- a/config.json');
    const parsed = JSON.parse(json!);
    expect(parsed.configuration.map((row: { knob: string }) => row.knob)).toEqual(['lr', 'width', 'act', 'momentum']);
    expect(parsed.diffVsBaseline.files.map((file: { path: string }) => file.path)).toContain('config.json');
    expect(parsed.chain[0]).toMatchObject({ id: 0, delta: null });
  });
});
