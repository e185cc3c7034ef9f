/**
 * The web UI: plain ES modules and one stylesheet under `web/`, served as they are (no
 * build step, nothing fetched from the network). Every page path answers `index.html`;
 * the UI routes in the browser.
 */
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { Context } from 'hono';

/** The folder of the web UI. */
export const WEB_ROOT = join(import.meta.dirname, '..', '..', 'web');

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

const cache = new Map<string, Buffer>();

async function readWebFile(relative: string): Promise<Buffer | null> {
  const path = normalize(join(WEB_ROOT, relative));
  if (!path.startsWith(WEB_ROOT + sep)) return null;
  const cached = cache.get(path);
  if (cached) return cached;
  const bytes = await readFile(path).catch(() => null);
  // Cached after the first read (AUTOLAB_WEB_CACHE=0 re-reads them, for work on the UI).
  if (bytes && process.env.AUTOLAB_WEB_CACHE !== '0') cache.set(path, bytes);
  return bytes;
}

/** `GET /assets/<path>`: a file of `web/` (404 for anything else). */
export async function serveAsset(c: Context, relative: string): Promise<Response> {
  const type = TYPES[extname(relative)];
  const bytes = type === undefined || relative.endsWith('.d.ts') ? null : await readWebFile(relative);
  if (bytes === null || type === undefined) return c.json({ error: `no asset ${relative}` }, 404);
  return c.body(new Uint8Array(bytes), 200, { 'content-type': type, 'cache-control': 'no-cache' });
}

/** The page shell for every UI path. */
export async function serveIndex(c: Context): Promise<Response> {
  const bytes = await readWebFile('index.html');
  if (bytes === null) return c.text('the web UI is missing (web/index.html)', 500);
  return c.body(new Uint8Array(bytes), 200, { 'content-type': TYPES['.html']!, 'cache-control': 'no-cache' });
}
