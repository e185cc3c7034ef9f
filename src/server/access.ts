/**
 * Who may talk to the dashboard. On a loopback address without a token, only requests
 * naming a loopback host are served (a web page on another site cannot reach the
 * dashboard through DNS rebinding). With a token, every request must carry it: the
 * `Authorization: Bearer T` or `X-Autolab-Token` header, `?token=T`, or the cookie set
 * when a page was opened with `?token=T` (so the page's own requests carry it).
 */
import { timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { AutolabError } from '../core/errors.ts';

export const TOKEN_COOKIE = 'autolab_token';
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** True for addresses only this machine can reach (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * Refuses to listen beyond this machine without a token (throws a UsageError that says
 * how to pass one); returns the token to enforce, if any.
 */
export function checkListenAccess(host: string, token: string | undefined): string | null {
  if (token !== undefined && token.length > 0 && token.length < 16) {
    throw new AutolabError('UsageError', 'the dashboard token is too short (at least 16 characters)', { hint: 'make one with: openssl rand -hex 16' });
  }
  if (!isLoopbackHost(host) && !token) {
    throw new AutolabError('UsageError', `refusing to listen on ${host} without a token: anyone who can reach this machine could read the study`, {
      hint: 'pass --token T (or set AUTOLAB_TOKEN; make one with: openssl rand -hex 16), or listen on 127.0.0.1 and use an SSH tunnel',
    });
  }
  return token ? token : null;
}

function sameToken(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function hostName(header: string | undefined): string {
  if (!header) return '';
  if (header.startsWith('[')) return header.slice(0, header.indexOf(']') + 1);
  return header.replace(/:\d+$/, '');
}

/** The middleware enforcing the rules above; `token` null means none is required. */
export function accessControl(token: string | null): MiddlewareHandler {
  return async (c, next) => {
    if (token === null) {
      if (!isLoopbackHost(hostName(c.req.header('host') ?? new URL(c.req.url).host))) {
        return c.json({ error: 'this dashboard only answers requests addressed to localhost', hint: 'open it at http://127.0.0.1:PORT/' }, 403);
      }
      return next();
    }
    const bearer = c.req.header('authorization')?.replace(/^Bearer\s+/i, '');
    const fromQuery = c.req.query('token');
    const candidates = [bearer, c.req.header('x-autolab-token'), fromQuery, getCookie(c, TOKEN_COOKIE)];
    if (!candidates.some((given) => sameToken(given, token))) {
      return c.json({ error: 'a valid token is required', hint: 'open the URL the server printed (it carries ?token=…), or send Authorization: Bearer TOKEN' }, 401);
    }
    if (sameToken(fromQuery, token) && !sameToken(getCookie(c, TOKEN_COOKIE), token)) {
      setCookie(c, TOKEN_COOKIE, token, { httpOnly: true, sameSite: 'Strict', path: '/' });
    }
    return next();
  };
}
