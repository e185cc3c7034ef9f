import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandRequest } from '../../core/executor.ts';
import { LocalExecutor } from './local-executor.ts';
import { bwrapArguments } from './sandbox-bwrap.ts';
import { createPidsCgroup, pidsHierarchy, removeIdleCgroups } from './sandbox-pids.ts';
import { probeBwrap } from './sandbox-probe.ts';
import { shellWrapperArguments } from './sandbox-shell.ts';
import { commandRequests } from '../../testing/command-requests.ts';

const probe = await probeBwrap();
if (process.env.CI === 'true' && !probe.available) {
  throw new Error(`CI=true but bubblewrap cannot sandbox here (${probe.reason}); .ci/services/bwrap.sh installs it`);
}
const hierarchy = await pidsHierarchy();
const isRoot = process.getuid?.() === 0;
/** Process limits bite: a pids cgroup, or ulimit -u for a user that is not root. */
const processLimitsWork = hierarchy !== null || (process.platform === 'linux' && !isRoot);

const executor = new LocalExecutor();
let dir: string;
const request = commandRequests({
  cwd: () => join(dir, 'state', 'work'),
  logFile: (n) => join(dir, `log-${n}.txt`),
  timeoutMs: 15_000,
  env: () => ({ AUTOLAB_RUN_TOKEN: `sandbox-test-${process.pid}` }),
});

/** This file's cgroups hold no process (those kept for the next command are empty), and none is left once the kept ones are removed. */
function expectNoProcessInCgroups(): void {
  if (hierarchy === null) return;
  const ours = () => readdirSync(hierarchy.base).filter((name) => name.startsWith(`sandbox-test-${process.pid}.`));
  for (const name of ours()) expect(readFileSync(join(hierarchy.base, name, 'cgroup.procs'), 'utf8')).toBe('');
  removeIdleCgroups();
  expect(ours()).toEqual([]);
}

/** The pids of live (not zombie) processes whose command line is `needle` (exactly: another session's `sleep 580` is not `sleep 5`). */
function livePids(needle: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').trimEnd();
      const state = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.[0];
      if (cmdline === needle && state !== 'Z') found.push(Number(entry));
    } catch {
      // gone
    }
  }
  return found;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'autolab-sandbox-'));
  mkdirSync(join(dir, 'state', 'secret'), { recursive: true });
  mkdirSync(join(dir, 'state', 'data'), { recursive: true });
  mkdirSync(join(dir, 'state', 'work'), { recursive: true });
  writeFileSync(join(dir, 'state', 'secret', 'target.json'), '{"target": 3}');
  writeFileSync(join(dir, 'state', 'data', 'train.json'), '{"hint": 1}');
  writeFileSync(join(dir, 'state', 'store.db'), 'not for trials');
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Runs a daemon through `run` that leaves the group (setsid), ignores SIGTERM and appends
 * to `file` until killed (the leader exits at once), and checks that once `run` resolves
 * it is gone: no process with `marker`, none in our cgroups, and the file stops growing.
 */
async function expectWriterGone(run: (command: string) => Promise<{ exitCode: number | null }>, marker: string, file: string): Promise<void> {
  const daemon = `trap '' TERM; while :; do echo x >> ${file}; ${marker}; done`;
  const result = await run(`setsid sh -c "${daemon}" & while [ ! -s ${file} ]; do sleep 0.01; done; echo started`);
  expect(result.exitCode).toBe(0);
  expect(livePids(marker)).toEqual([]);
  expectNoProcessInCgroups();
  const written = readFileSync(join(dir, 'state', 'work', file), 'utf8');
  await new Promise((resolve) => setTimeout(resolve, 150));
  expect(readFileSync(join(dir, 'state', 'work', file), 'utf8')).toBe(written);
}

describe('bwrapArguments', () => {
  it('mounts shallow paths before deep ones, hides folders with tmpfs and files with /dev/null, and skips missing paths', () => {
    const state = join(dir, 'state');
    const args = bwrapArguments(
      { hidden: [state, join(state, 'store.db'), join(dir, 'no-such-thing')], readOnly: [join(state, 'data')], writable: [join(state, 'work')], network: false },
      join(state, 'work'),
      { devices: [] },
    );
    const text = args.join(' ');
    expect(args.slice(0, 2)).toEqual(['--die-with-parent', '--unshare-user-try']);
    expect(text).toContain('--cap-drop ALL');
    expect(text).toContain('--unshare-net');
    expect(text).toContain('--unshare-pid');
    expect(text.indexOf(`--tmpfs ${state}`)).toBeLessThan(text.indexOf(`--ro-bind ${join(state, 'data')}`));
    expect(text.indexOf(`--tmpfs ${state}`)).toBeLessThan(text.indexOf(`--bind ${join(state, 'work')}`));
    expect(text).toContain(`--ro-bind /dev/null ${join(state, 'store.db')}`);
    expect(text).not.toContain('no-such-thing');
    expect(args.slice(-3)).toEqual(['--chdir', join(state, 'work'), '--']);
    const shared = bwrapArguments({ hidden: [], readOnly: [], writable: [], network: true }, dir, { devices: ['/dev/nvidia0'] });
    expect(shared).not.toContain('--unshare-net');
    expect(shared.join(' ')).toContain('--dev-bind /dev/nvidia0 /dev/nvidia0');
  });
});

describe('shellWrapperArguments', () => {
  it('is a plain sh -c without limits, and passes the command as a parameter, never inside the script', () => {
    expect(shellWrapperArguments({ command: 'echo hi' })).toEqual(['-c', 'echo hi']);
    const hostile = 'echo "$(id)"; exit 3 # \'"';
    const args = shellWrapperArguments({ command: hostile, maxFileBytes: 1 << 20, maxProcesses: 64, launcher: ['/usr/bin/bwrap', '--'] });
    expect(args[1]).not.toContain(hostile);
    expect(args[1]).toContain('ulimit -f 2048');
    expect(args[1]).toContain('ulimit -u 64');
    expect(args.slice(2)).toEqual(['autolab-run', hostile, '', '/usr/bin/bwrap', '--']);
  });
});

describe('limits without a sandbox', () => {
  it('kills a writer at the file size limit and says so in the output', async () => {
    const result = await executor.run(request('head -c 100000 /dev/zero > big.bin', { maxFileBytes: 8192 }));
    expect(result.exitCode === 153 || result.signal === 'SIGXFSZ').toBe(true);
    expect(result.outputTail).toContain('a file reached the size limit of 8192 bytes');
    expect(readFileSync(join(dir, 'state', 'work', 'big.bin')).length).toBeLessThanOrEqual(8192);
  });

  it.skipIf(!processLimitsWork)('bounds the number of processes, and says so', async () => {
    const result = await executor.run(request('i=0; while [ $i -lt 80 ]; do sleep 5 & i=$((i+1)); done; wait', { maxProcesses: 24, timeoutMs: 8_000 }));
    expect(result.outputTail).toMatch(/Cannot fork|fork|Resource temporarily unavailable/i);
    if (hierarchy !== null) expect(result.outputTail).toContain('reached its limit of 24 processes');
    expect(livePids('sleep 5')).toEqual([]);
  });

  it.skipIf(hierarchy === null)('kills a daemon that left the process group (setsid, double fork) when the run ends', async () => {
    const marker = `sleep 41.${request.made()}7`;
    const result = await executor.run(request(`setsid sh -c '(${marker} &)' ; echo started`, { maxProcesses: 64 }));
    expect(result.exitCode).toBe(0);
    expect(livePids(marker)).toEqual([]);
  });

  it.skipIf(hierarchy === null)('resolves only once a daemon that ignores SIGTERM and keeps writing is gone: its file stops growing, its cgroup is empty (kept for reuse, or removed)', async () => {
    await expectWriterGone((command) => executor.run(request(command, { maxProcesses: 64 })), `sleep 43.${request.made()}1`, `daemon-${request.made()}.txt`);
  });

  it.skipIf(hierarchy === null)('reaps the cgroups a dead driver left behind, by its token', async () => {
    const token = `dead-driver-${randomUUID()}`;
    const cgroup = (await createPidsCgroup(token, 16))!;
    const seconds = `42.${request.made()}3`;
    const marker = `sleep ${seconds}`;
    const child = spawn('/bin/sh', ['-c', 'echo $$ > "$1"; exec setsid sleep "$2"', 'x', cgroup.procsFile, seconds], { detached: true, stdio: 'ignore' });
    child.unref();
    for (let i = 0; i < 50 && livePids(marker).length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(livePids(marker).length).toBe(1);
    expect(await executor.reapOrphans(token)).toBeGreaterThanOrEqual(1);
    expect(livePids(marker)).toEqual([]);
    expect(existsSync(cgroup.dir)).toBe(false);
  });
});

describe.skipIf(!probe.available)('the bubblewrap sandbox', () => {
  let server: Server;
  let port = 0;
  let connections = 0;
  beforeAll(async () => {
    server = createServer((socket) => {
      connections += 1;
      socket.on('error', () => undefined);
      socket.end('{"target": 3}\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const sandboxed = (command: string, overrides: Partial<CommandRequest> = {}) => {
    const state = join(dir, 'state');
    return executor.run(
      request(command, {
        sandbox: { hidden: [state, '/tmp'], readOnly: [join(state, 'data')], writable: [join(state, 'work')], network: false },
        ...overrides,
      }),
    );
  };

  it('shows the read-only data and the writable folder, hides the rest of the state, and keeps the host read-only', async () => {
    const state = join(dir, 'state');
    const script = [
      `cat ${join(state, 'data', 'train.json')} && echo DATA-OK`,
      `cat ${join(state, 'secret', 'target.json')} && echo SECRET-READ`,
      `cat ${join(state, 'store.db')} && echo STORE-READ`,
      `touch ${join(state, 'data', 'poison')} && echo DATA-WRITTEN`,
      `echo ok > written.txt && echo WORK-OK`,
      `echo x > /tmp/autolab-outside-${request.made()} && echo PRIVATE-TMP-OK`,
      `touch /usr/autolab-outside-${request.made()} && echo HOST-WRITTEN`,
      'exit 7',
    ].join('; ');
    const result = await sandboxed(script);
    expect(result.spawnError).toBeNull();
    expect(result.exitCode).toBe(7);
    expect(result.stdoutTail).toContain('DATA-OK');
    expect(result.stdoutTail).toContain('WORK-OK');
    expect(result.stdoutTail).toContain('PRIVATE-TMP-OK');
    for (const leak of ['SECRET-READ', 'STORE-READ', 'DATA-WRITTEN', 'HOST-WRITTEN']) expect(result.stdoutTail).not.toContain(leak);
    expect(readFileSync(join(state, 'work', 'written.txt'), 'utf8')).toBe('ok\n');
    expect(existsSync(join(state, 'data', 'poison'))).toBe(false);
    expect(existsSync(`/tmp/autolab-outside-${request.made()}`)).toBe(false);
  });

  it('has no network: a loopback server on the host is out of reach', async () => {
    const node = process.execPath;
    const connect = `${node} -e "require('net').connect(${port}, '127.0.0.1').on('connect', () => { console.log('CONNECTED'); process.exit(0); }).on('error', (e) => { console.log('BLOCKED ' + e.code); process.exit(3); })"`;
    const result = await sandboxed(connect);
    expect(result.stdoutTail).toMatch(/BLOCKED (ECONNREFUSED|ENETUNREACH|EACCES|EPERM)/);
    expect(connections).toBe(0);
    const open = await executor.run(request(connect)); // the same command outside the sandbox connects
    expect(open.stdoutTail).toContain('CONNECTED');
    expect(connections).toBe(1);
  });

  it('sees only its own processes, and nothing it starts outlives it', async () => {
    const marker = `sleep 43.${request.made()}1`;
    const result = await sandboxed(`setsid sh -c '(${marker} &)'; ls /proc | grep -c '^[0-9]' ; cat /proc/1/cmdline | tr '\\0' ' '`);
    expect(result.exitCode).toBe(0);
    const visible = Number(result.stdoutTail.trim().split('\n')[0]);
    expect(visible).toBeLessThan(10);
    expect(livePids(marker)).toEqual([]);
  });

  it('resolves only once a sandboxed writer that ignores SIGTERM is gone: its file stops growing, its cgroup is empty', async () => {
    await expectWriterGone((command) => sandboxed(command, { maxProcesses: 64 }), `sleep 44.${request.made()}1`, `sandboxed-daemon-${request.made()}.txt`);
  });

  it('runs as root without capabilities: it cannot unmount what hides the state', async () => {
    const state = join(dir, 'state');
    const result = await sandboxed(`umount -l ${state} 2>&1; cat ${join(state, 'secret', 'target.json')} && echo SECRET-READ; grep CapEff /proc/self/status`);
    expect(result.stdoutTail).not.toContain('SECRET-READ');
    expect(result.stdoutTail).toMatch(/CapEff:\s+0+\n/);
  });

  it('is never dropped silently: without a working bwrap the run does not start', async () => {
    const result = await sandboxed('echo should-not-run', { env: { PATH: join(dir, 'no-bin') } });
    expect(result.spawnError).toMatch(/sandbox could not be built: .*bwrap/);
    expect(result.stdoutTail).toBe('');
  });
});
