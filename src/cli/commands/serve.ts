import { existsSync } from 'node:fs';
import { AutolabError } from '../../core/errors.ts';
import type { Store } from '../../core/store.ts';
import { studyPaths } from '../../layout/autolab-layout.ts';
import { startDashboard } from '../../server/serve-dashboard.ts';
import { openStore, parseStoreLocation } from '../../store/open-store.ts';
import { loadTaskFile } from '../../task/load-task.ts';
import { commandFor, invocationOf } from '../invocation.ts';

export interface ServeOptions {
  task?: string;
  store?: string;
  study?: string;
  host?: string;
  port?: number;
  token?: string;
}

/**
 * `autolab serve [PATH | --store URL]`: the dashboard over every study of a store, live
 * while any process runs them. Binds 127.0.0.1 unless told otherwise; any other address
 * needs a token. Runs until Ctrl-C.
 */
export async function serveCommand(path: string | undefined, options: ServeOptions): Promise<number> {
  const storeOption = options.store ?? process.env.AUTOLAB_STORE;
  let location: string;
  let root: string | null = null;
  if (storeOption !== undefined && path === undefined && options.task === undefined) {
    location = storeOption;
  } else {
    const { task } = await loadTaskFile(path ?? options.task ?? process.env.AUTOLAB_TASK ?? '.');
    root = task.root;
    location = storeOption ?? studyPaths(task.root, options.study ?? task.name).store;
  }
  const parsed = parseStoreLocation(location);
  if (parsed.kind === 'sqlite' && parsed.file !== ':memory:' && !existsSync(parsed.file)) {
    throw new AutolabError('NotFound', `there is no store at ${parsed.file}: no study has run here yet`, { hint: `start one with \`${commandFor(invocationOf(path, options), 'run')}\`, or name a store with --store` });
  }
  const store: Store = await openStore(location);
  try {
    const token = options.token ?? process.env.AUTOLAB_TOKEN;
    const dashboard = await startDashboard({ store, root, host: options.host ?? '127.0.0.1', port: options.port ?? 8420, ...(token ? { token } : {}) });
    const url = options.study ? dashboard.url.replace(/\/(\?|$)/, `/studies/${encodeURIComponent(options.study)}$1`) : dashboard.url;
    process.stdout.write(`autolab dashboard: ${url}\n`);
    process.stdout.write(`serving ${parsed.kind === 'sqlite' ? parsed.file : 'the PostgreSQL store'} · live over server-sent events · Ctrl-C to stop\n`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await dashboard.close();
    return 0;
  } finally {
    await store.close();
  }
}
