import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openStudy, type Study } from '../../src/engine/open-study.ts';
import { describeInChromium } from '../../src/testing/chromium-for-tests.ts';
import { openDashboardInChromium, type DashboardInChromium } from '../../src/testing/dashboard-in-chromium.ts';
import { runCli } from '../../src/testing/cli.ts';
import { makeRecipeRepo } from '../../src/testing/recipe-repo.ts';
import { writeSyntheticStudy } from '../../src/testing/synthetic-study.ts';
import { paretoFrontView } from '../../src/views/pareto-front-view.ts';

/**
 * The front page in a real headless Chromium over a real two-objective study (the
 * pareto fixture run by `autolab run`): the front plot with its members linked and the
 * dominated trials greyed, the recommended trade-off ringed, the hypervolume over time,
 * the members' table; a single-objective study in the same store says it has no front.
 * Every page loads without a console error; screenshots go to test-artifacts/dashboard-front/.
 */
const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'pareto-recipe');
const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts', 'dashboard-front');
const TRIALS = 12;

describeInChromium('the front page in Chromium', () => {
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
    view = await openDashboardInChromium({ store: study.paths.store, root: repo.dir, screenshots: ARTIFACTS, seed: (store) => writeSyntheticStudy(store, { name: 'single', trials: 40, slots: 2 }) });
    ({ page, problems } = view);
  }, 600_000);

  afterAll(async () => {
    await view?.close();
    await study?.close();
    await repo?.cleanup();
  });

  it('plots every scored trial, the front in green and linked, the dominated ones greyed, the recommended one ringed', async () => {
    const trials = await study.trials();
    const front = paretoFrontView(study.task, trials)!;
    const scored = trials.filter((trial) => trial.status === 'kept' || trial.status === 'discarded');
    await visit('/studies/pareto/front', '#front-plot svg .pt', 'front');
    expect(await page.locator('#front-plot svg .pt.member').count()).toBe(front.members.length);
    expect(await page.locator('#front-plot svg .pt.dominated').count()).toBe(scored.length - front.members.length);
    expect(await page.locator('#front-plot svg .pt.dominated').first().getAttribute('fill')).toBe('#cbd5e1');
    const memberIds = await page.locator('#front-plot svg .pt.member').evaluateAll((marks) => marks.map((mark) => Number(mark.getAttribute('data-trial'))));
    expect(memberIds.sort((a, b) => a - b)).toEqual(front.members.map((member) => member.id).sort((a, b) => a - b));
    expect(await page.locator('#front-plot svg .recommended').count()).toBe(1);
    expect(await page.locator('#front-plot svg .front-line').count()).toBe(1);
    expect(await page.locator('#front-plot svg .reference').count()).toBe(1);
    // The members' table: one row each, the recommended one starred.
    expect(await page.locator('#front-table tbody tr').count()).toBe(front.members.length);
    expect(await page.textContent(`#front-table tr[data-member="${front.recommended}"]`)).toContain(`★ #${front.recommended}`);
    expect(await page.textContent('#front-sub')).toContain(`${front.members.length} trial`);
  });

  it('draws the hypervolume over time, ending at the front\'s', async () => {
    const front = paretoFrontView(study.task, await study.trials())!;
    await visit('/studies/pareto/front', '#hypervolume-plot svg .hypervolume-line', 'front-hypervolume');
    expect(await page.locator('#hypervolume-plot svg .hv-step').count()).toBeGreaterThanOrEqual(2);
    const shown = (await page.textContent('#hypervolume-value'))!;
    expect(Number(shown.replace('hypervolume ', ''))).toBeCloseTo(front.hypervolume, -Math.floor(Math.log10(front.hypervolume)) + 3);
  });

  it('opens a front member\'s trial from its point', async () => {
    const front = paretoFrontView(study.task, await study.trials())!;
    await visit('/studies/pareto/front', '#front-plot svg .pt.member', 'front-before-click');
    const id = front.members.at(-1)!.id;
    await page.locator(`#front-plot svg .pt.member[data-trial="${id}"]`).click();
    await page.waitForURL(new RegExp(`/studies/pareto/trials/${id}$`), { timeout: 60_000 });
    await page.waitForSelector('h1', { timeout: 60_000 });
    expect(problems).toEqual([]);
  });

  it('tells a single-objective study that its front is its incumbent', async () => {
    await visit('/studies/single/front', '#no-front', 'front-single');
    expect(await page.textContent('#no-front')).toContain('its front is its incumbent');
  });
});
