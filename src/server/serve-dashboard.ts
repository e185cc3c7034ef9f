/**
 * Starts the dashboard over a store: the HTTP server (on @hono/node-server), the study
 * hub polling the audit log, and a clean shutdown.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { AutolabError } from '../core/errors.ts';
import type { Store } from '../core/store.ts';
import { checkListenAccess } from './access.ts';
import { createDashboardApp } from './app.ts';
import { closeLiveStreams } from './live-events.ts';
import { StudyHub } from './study-hub.ts';

export const DEFAULT_DASHBOARD_PORT = 8420;

export interface DashboardOptions {
  store: Store;
  /** The task folder when serving a task file (logs and workspace); else each study's recorded one. */
  root?: string | null;
  /** Default 127.0.0.1; any other address requires `token`. */
  host?: string;
  /** Default 8420; 0 picks a free port. */
  port?: number;
  token?: string;
  /** How often live studies are polled (default 500 ms). */
  pollMs?: number;
}

export interface RunningDashboard {
  /** The address to open (with `?token=…` when a token is required). */
  url: string;
  host: string;
  port: number;
  hub: StudyHub;
  /** Stops the server and the polling; the caller still owns the store. */
  close(): Promise<void>;
}

/**
 * @example
 * const store = await openStore('.autolab/autolab.db');
 * const dashboard = await startDashboard({ store });
 * console.log(dashboard.url);   // http://127.0.0.1:8420/
 */
export async function startDashboard(options: DashboardOptions): Promise<RunningDashboard> {
  const host = options.host ?? '127.0.0.1';
  const token = checkListenAccess(host, options.token);
  const hub = new StudyHub(options.store, { root: options.root ?? null, pollMs: options.pollMs ?? 500 });
  const app = createDashboardApp(hub, { token });
  let server: Server;
  const info = await new Promise<AddressInfo>((resolve, reject) => {
    server = serve({ fetch: app.fetch, hostname: host, port: options.port ?? DEFAULT_DASHBOARD_PORT }, resolve) as Server;
    server.once('error', (error: NodeJS.ErrnoException) => {
      hub.close();
      reject(
        error.code === 'EADDRINUSE'
          ? new AutolabError('UsageError', `port ${options.port ?? DEFAULT_DASHBOARD_PORT} on ${host} is in use`, { hint: 'pick another with --port N (0: any free port)' })
          : new AutolabError('ServerError', `cannot listen on ${host}:${options.port ?? DEFAULT_DASHBOARD_PORT}: ${error.message}`, { cause: error }),
      );
    });
  });
  const shownHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  const url = `http://${shownHost}:${info.port}/${token ? `?token=${encodeURIComponent(token)}` : ''}`;
  return {
    url,
    host,
    port: info.port,
    hub,
    close: async () => {
      hub.close();
      closeLiveStreams();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
