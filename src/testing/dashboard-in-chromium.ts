import type { Page } from 'playwright-core';
import type { Store } from '../core/store.ts';
import { startDashboard, type RunningDashboard } from '../server/serve-dashboard.ts';
import { openStore } from '../store/open-store.ts';
import { openTestBrowser, type TestBrowser } from './chromium-for-tests.ts';

/** A dashboard served over a study's store, and a headless Chromium to look at it. */
export interface DashboardInChromium {
  /** The store the dashboard reads (its own connection to the study's store). */
  served: Store;
  dashboard: RunningDashboard;
  browser: TestBrowser;
  page: Page;
  /** Console errors, page errors and failed requests since the last `visit`. */
  problems: string[];
  /** The dashboard's address without a trailing slash, e.g. `http://127.0.0.1:4123`. */
  base: string;
  /** Opens `path` on the dashboard, waits for `ready`, saves `<shot>.png`; returns the problems seen. */
  visit(path: string, ready: string, shot: string): Promise<string[]>;
  /** Closes the browser, then the dashboard, then its store. */
  close(): Promise<void>;
}

/** Options of {@link openDashboardInChromium}. */
export interface DashboardInChromiumOptions {
  /** The study's store file or URL (`study.paths.store`). */
  store: string;
  /** The recipe repository the dashboard serves files from. */
  root: string;
  /** Where screenshots go (created). */
  screenshots: string;
  /** Writes more into the served store before the dashboard starts (e.g. a synthetic study). */
  seed?: (store: Store) => Promise<unknown>;
  /** Console error texts that are expected (e.g. a 404 a test asks for on purpose). */
  ignoreConsole?: (text: string) => boolean;
}

/**
 * Serves the dashboard over a study's store on a free loopback port and opens Chromium
 * on it: the set-up every browser test of the dashboard shares.
 *
 * @example
 * const view = await openDashboardInChromium({ store: study.paths.store, root: repo.dir, screenshots: ARTIFACTS });
 * expect(await view.visit('/studies/fixture', '#score-plot svg', 'overview')).toEqual([]);
 * await view.close();
 */
export async function openDashboardInChromium(options: DashboardInChromiumOptions): Promise<DashboardInChromium> {
  const served = await openStore(options.store);
  let dashboard: RunningDashboard | undefined;
  try {
    await options.seed?.(served);
    dashboard = await startDashboard({ store: served, root: options.root, port: 0, pollMs: 200 });
    const browser = await openTestBrowser({ screenshots: options.screenshots, ...(options.ignoreConsole ? { ignoreConsole: options.ignoreConsole } : {}) });
    const base = dashboard.url.replace(/\/$/, '');
    const running = dashboard;
    return {
      served,
      dashboard,
      browser,
      page: browser.page,
      problems: browser.problems,
      base,
      visit: (path, ready, shot) => browser.visit(base + path, ready, shot),
      async close() {
        await browser.close();
        await running.close();
        await served.close();
      },
    };
  } catch (error) {
    await dashboard?.close();
    await served.close();
    throw error;
  }
}
