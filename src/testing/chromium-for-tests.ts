import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { describe, it } from 'vitest';

/** Whether the tests that need a real Chromium run here, and what to say when they cannot. */
export interface ChromiumForTests {
  /** The browser's executable: `AUTOLAB_TEST_CHROMIUM`, else Debian's `/usr/bin/chromium`. */
  executablePath: string;
  /** The executable is there: run the tests. */
  available: boolean;
  /** CI (`CI=true`): a missing Chromium is a failure, not a skip. */
  required: boolean;
  /** What to do when it is missing. */
  problem: string;
}

/**
 * Decides whether the Chromium tests run: they need the executable `AUTOLAB_TEST_CHROMIUM`
 * names (exported by `.ci/services/chromium.sh`) or `/usr/bin/chromium`. Outside CI a
 * missing browser skips them; in CI it fails them with `problem`.
 *
 * @example
 * const browserTests = chromiumForTests();
 * if (!browserTests.available && browserTests.required) it('needs Chromium', () => { throw new Error(browserTests.problem); });
 * describe.skipIf(!browserTests.available)('the dashboard in Chromium', () => { ... });
 */
export function chromiumForTests(env: NodeJS.ProcessEnv = process.env): ChromiumForTests {
  const executablePath = env.AUTOLAB_TEST_CHROMIUM || '/usr/bin/chromium';
  return {
    executablePath,
    available: existsSync(executablePath),
    required: env.CI === 'true',
    problem: `Chromium is missing at ${executablePath}: .ci/services/chromium.sh installs it (apt-get install chromium) and sets AUTOLAB_TEST_CHROMIUM`,
  };
}

/** A headless Chromium with one page that collects what went wrong on it. */
export interface TestBrowser {
  browser: Browser;
  page: Page;
  /** Console errors, uncaught page errors and failed requests since the last `visit`. */
  problems: string[];
  /**
   * Opens `url`, waits for `ready` (a selector), saves a full-page screenshot as
   * `<screenshots>/<shot>.png` and returns the problems seen on the way (empty when none).
   */
  visit(url: string, ready: string, shot: string): Promise<string[]>;
  close(): Promise<void>;
}

/** Options of {@link openTestBrowser}. */
export interface TestBrowserOptions {
  /** Where `visit` keeps its screenshots (created). */
  screenshots: string;
  /** How long `visit` waits for its selector; 60 s (a loaded machine paints late). */
  readyTimeoutMs?: number;
  /** Console error texts that are expected (e.g. a 404 a test asks for on purpose). */
  ignoreConsole?: (text: string) => boolean;
  executablePath?: string;
}

/**
 * Launches headless Chromium (no sandbox: CI runs as root) with a 1360×900 page whose
 * console errors, page errors and failed requests (but the live `/events` stream, which
 * a navigation cuts) are collected into `problems`.
 *
 * @example
 * const tb = await openTestBrowser({ screenshots: join(ARTIFACTS, 'dashboard') });
 * expect(await tb.visit(`${base}/studies/x`, '#score-plot svg', 'overview')).toEqual([]);
 * await tb.close();
 */
export async function openTestBrowser(options: TestBrowserOptions): Promise<TestBrowser> {
  await mkdir(options.screenshots, { recursive: true });
  const browser = await chromium.launch({
    executablePath: options.executablePath ?? chromiumForTests().executablePath,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await (await browser.newContext({ viewport: { width: 1360, height: 900 } })).newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && !options.ignoreConsole?.(message.text())) problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('requestfailed', (request) => {
    if (!request.url().includes('/events')) problems.push(`request failed: ${request.url()}`);
  });
  return {
    browser,
    page,
    problems,
    async visit(url, ready, shot) {
      problems.length = 0;
      await page.goto(url);
      await page.waitForSelector(ready, { timeout: options.readyTimeoutMs ?? 60_000 });
      await page.screenshot({ path: join(options.screenshots, `${shot}.png`), fullPage: true });
      return [...problems];
    },
    close: () => browser.close(),
  };
}

/**
 * `describe` for tests that drive Chromium: skipped where there is no browser, and in CI
 * one failing test that says how to get one (a service-backed test never skips there).
 *
 * @example
 * describeInChromium('the front page in Chromium', () => { it('plots the front', async () => { ... }); });
 */
export function describeInChromium(title: string, body: () => void): void {
  const tests = chromiumForTests();
  if (!tests.available && tests.required) {
    describe(title, () => {
      it('needs Chromium in CI', () => {
        throw new Error(tests.problem);
      });
    });
    return;
  }
  describe.skipIf(!tests.available)(title, body);
}
