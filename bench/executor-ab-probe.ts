// A/B probe: the local executor's own work around a sandboxed `true` (wall minus the command's duration, and the driver's CPU), two checkouts alternating in one process.
// npx tsx bench/executor-ab-probe.ts ANCHOR_DIR THIS_DIR [rounds] [commands per round] [none: no sandbox]
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const [a, b] = [process.argv[2]!, process.argv[3]!];
const rounds = Number(process.argv[4] ?? 6);
const per = Number(process.argv[5] ?? 8);
const sandboxed = process.argv[6] !== 'none';
const work = mkdtempSync(join(tmpdir(), 'exec-probe-'));
const cwd = join(work, 'wt'); mkdirSync(cwd);
const arts = join(work, 'arts'); mkdirSync(arts);
const state = join(work, 'state'); mkdirSync(state);
const execs = await Promise.all([a, b].map(async (root) => {
  const { LocalExecutor } = await import(join(root, 'src/executors/local/local-executor.ts'));
  return new LocalExecutor();
}));
const env = { PATH: '/usr/bin:/bin', HOME: '/root', AUTOLAB_PHASE: 'run', AUTOLAB_RUN_TOKEN: 'probe', TMPDIR: '/tmp', AUTOLAB_ARTIFACTS: arts };
const request = (i: number) => ({
  command: 'true', cwd, env, timeoutMs: 60000, outputCapBytes: 1 << 20, logFile: join(work, `log-${i}.log`),
  maxProcesses: 512, maxFileBytes: 1 << 30, memoryBytes: 8 * 2 ** 30,
  ...(sandboxed && { sandbox: { readOnly: [join(work)], writable: [cwd, arts], hidden: [state, '/tmp', '/var/tmp', '/run', '/dev/shm', '/root'], network: false } }),
});
const res: Record<string, { over: number[]; cpu: number[]; wall: number[] }> = { A: { over: [], cpu: [], wall: [] }, B: { over: [], cpu: [], wall: [] } };
let n = 0;
for (let w = 0; w < 4; w++) for (const e of execs) await e.run(request(n++));
for (let r = 0; r < rounds; r++) {
  for (const [k, e] of [['A', execs[0]], ['B', execs[1]]] as const) {
    for (let i = 0; i < per; i++) {
      const c0 = process.cpuUsage(); const t0 = performance.now();
      const out = await e.run(request(n++));
      const wall = performance.now() - t0; const c = process.cpuUsage(c0);
      if (out.exitCode !== 0) console.log('fail', k, out.spawnError, out.outputTail);
      res[k]!.over.push(wall - out.durationMs); res[k]!.wall.push(wall); res[k]!.cpu.push((c.user + c.system) / 1000);
    }
  }
}
const med = (v: number[]) => [...v].sort((x, y) => x - y)[Math.floor(v.length / 2)]!.toFixed(2);
const os = await import('node:os');
console.log(`load ${os.loadavg()[0]!.toFixed(1)} sandbox ${sandboxed}`);
for (const k of ['A', 'B']) console.log(k, 'wall p50', med(res[k]!.wall), 'over p50', med(res[k]!.over), 'driver cpu p50', med(res[k]!.cpu));
