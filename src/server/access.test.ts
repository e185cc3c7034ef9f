import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { accessControl, checkListenAccess, isLoopbackHost, TOKEN_COOKIE } from './access.ts';

const TOKEN = 'a-token-of-sufficient-length';

function app(token: string | null) {
  const hono = new Hono();
  hono.use('*', accessControl(token));
  hono.get('*', (c) => c.text('ok'));
  return hono;
}

describe('who may listen where', () => {
  it('refuses any address beyond this machine without a token, saying how to pass one', () => {
    expect(() => checkListenAccess('0.0.0.0', undefined)).toThrow(/refusing to listen on 0\.0\.0\.0 without a token/);
    expect(() => checkListenAccess('192.168.1.4', '')).toThrow(/without a token/);
    expect(() => checkListenAccess('0.0.0.0', 'short')).toThrow(/too short/);
    expect(checkListenAccess('0.0.0.0', TOKEN)).toBe(TOKEN);
    expect(checkListenAccess('127.0.0.1', undefined)).toBeNull();
    expect(isLoopbackHost('::1')).toBe(true);
    expect(isLoopbackHost('127.4.5.6')).toBe(true);
    expect(isLoopbackHost('10.0.0.1')).toBe(false);
  });
});

describe('the token on every request', () => {
  it('accepts the header, the bearer, the query (setting a cookie) and the cookie; refuses anything else', async () => {
    const hono = app(TOKEN);
    expect((await hono.request('/api/studies')).status).toBe(401);
    expect((await hono.request('/api/studies', { headers: { 'x-autolab-token': 'wrong-token-of-some-length' } })).status).toBe(401);
    expect((await hono.request('/api/studies', { headers: { 'x-autolab-token': TOKEN } })).status).toBe(200);
    expect((await hono.request('/api/studies', { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    const viaQuery = await hono.request(`/?token=${TOKEN}`);
    expect(viaQuery.status).toBe(200);
    expect(viaQuery.headers.get('set-cookie')).toMatch(new RegExp(`^${TOKEN_COOKIE}=${TOKEN};.*HttpOnly.*SameSite=Strict`));
    expect((await hono.request('/assets/app/main.js', { headers: { cookie: `${TOKEN_COOKIE}=${TOKEN}` } })).status).toBe(200);
  });

  it('without a token, answers only requests addressed to a loopback name (no DNS rebinding)', async () => {
    const hono = app(null);
    expect((await hono.request('http://127.0.0.1:8420/api/studies')).status).toBe(200);
    expect((await hono.request('http://localhost:8420/')).status).toBe(200);
    expect((await hono.request('http://[::1]:8420/')).status).toBe(200);
    expect((await hono.request('http://evil.example:8420/api/studies')).status).toBe(403);
  });
});
