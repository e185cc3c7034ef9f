import { describe, expect, it } from 'vitest';
import { AutolabError } from '../core/errors.ts';
import type { BwrapProbe } from '../executors/local/sandbox-probe.ts';
import { resolveSandboxMode, SANDBOX_UNAVAILABLE } from './sandbox-mode.ts';

const works = async (): Promise<BwrapProbe> => ({ available: true, bwrap: '/usr/bin/bwrap' });
const broken = async (): Promise<BwrapProbe> => ({ available: false, bwrap: null, reason: 'bwrap (bubblewrap) is not installed' });

describe('resolveSandboxMode', () => {
  it('defaults to bwrap where it works, silently', async () => {
    expect(await resolveSandboxMode({}, works)).toEqual({ mode: 'bwrap', warning: null });
  });

  it('falls back to none with a warning that says what is exposed and how to fix it', async () => {
    const { mode, warning } = await resolveSandboxMode({}, broken);
    expect(mode).toBe('none');
    expect(warning?.code).toBe(SANDBOX_UNAVAILABLE);
    expect(warning?.message).toContain('WITHOUT a sandbox: bwrap (bubblewrap) is not installed');
    expect(warning?.message).toContain('sandbox: none');
  });

  it('fails with a hint when the task file asks for bwrap and it does not work', async () => {
    const error = await resolveSandboxMode({ sandbox: 'bwrap' }, broken).catch((caught: unknown) => caught);
    expect(AutolabError.is(error)).toBe(true);
    expect((error as AutolabError).message).toContain('asks for sandbox: bwrap');
    expect((error as AutolabError).hint).toContain('apt-get install bubblewrap');
  });

  it('does not even probe when the task file says none', async () => {
    let probed = false;
    const result = await resolveSandboxMode({ sandbox: 'none' }, async () => ((probed = true), works()));
    expect(result).toEqual({ mode: 'none', warning: null });
    expect(probed).toBe(false);
  });
});
