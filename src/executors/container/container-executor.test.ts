import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandRequest, Executor } from '../../core/executor.ts';
import { LocalExecutor } from '../local/local-executor.ts';
import { SlurmExecutor } from '../slurm/slurm-executor.ts';
import { slurmForTests } from '../../testing/slurm-for-tests.ts';
import { containerCommand } from './container-command.ts';
import { ContainerExecutor } from './container-executor.ts';
import type { ContainerOptions } from '../shared/container-options.ts';
import { buildTestImage, podmanForTests, removeTestImage } from './testing/podman-for-tests.ts';

const podman = podmanForTests();
const slurm = slurmForTests();
const TOKEN = `${Math.random().toString(16).slice(2, 10)}-container`;

function options(overrides: Partial<ContainerOptions> = {}): ContainerOptions {
  return { image: 'localhost/recipe:1', engine: 'podman', binds: [], gpu: false, phases: ['run'], extraArgs: [], ...overrides };
}

describe('container command lines (each engine as its documentation writes it)', () => {
  const request: CommandRequest = {
    command: 'python train.py',
    cwd: '/shared/w/3',
    env: { PATH: '/usr/bin', AUTOLAB_PHASE: 'run', AUTOLAB_SEED: '1', AUTOLAB_ARTIFACTS: '/shared/a/3', APPTAINER_CACHEDIR: '/scratch/cache' },
    timeoutMs: 1_000,
    outputCapBytes: 1_000,
    logFile: '/shared/t/3/run.log',
    sandbox: { readOnly: ['/shared/data'], writable: ['/shared/w/3', '/shared/a/3'], hidden: ['/shared/data/holdout', '/tmp'], network: false },
  };

  it('apptainer exec: --contain, binds of the view, held-out data masked, no network, --nv for GPUs', () => {
    const { command, cleanup } = containerCommand({ request, options: options({ image: '/shared/torch.sif', engine: 'apptainer', gpu: true }), taskRoot: '/shared/recipe', name: 'n' });
    expect(cleanup).toBeNull();
    expect(command).toContain("[ -e '/shared/data' ] && set -- \"$@\" --bind '/shared/data':'/shared/data':ro");
    expect(command).toContain('set -- "$@" --bind "$PWD":"$PWD"');
    expect(command).toContain("--scratch '/shared/data/holdout'");
    expect(command).toMatch(/exec apptainer exec --contain --pwd "\$PWD" --net --network none --nv "\$@" '\/shared\/torch\.sif' \/bin\/sh -c 'python train\.py'$/);
  });

  it('podman run: named, removed by its cleanup, variables passed by name (never the host-only or engine ones)', () => {
    const { command, cleanup } = containerCommand({ request, options: options(), taskRoot: '/shared/recipe', name: 'autolab-x-3-run' });
    expect(cleanup).toBe("podman rm -f -t 0 'autolab-x-3-run' >/dev/null 2>&1 || true");
    expect(command).toContain('set -- "$@" -e AUTOLAB_SEED');
    expect(command).not.toContain('-e PATH');
    expect(command).not.toContain('-e APPTAINER_CACHEDIR');
    expect(command).toContain('-v "$autolab_empty":\'/shared/data/holdout\':ro');
    expect(command).toContain('--network none');
  });
});

describe('containers for real with Podman', () => {
  if (!podman.available && podman.required) {
    it('has Podman to run containers with (apt-get install -y podman busybox-static)', () => {
      throw new Error(podman.problem ?? 'Podman is missing');
    });
  }

  describe.runIf(podman.available)('an image built from a local root filesystem', () => {
    const image = `localhost/autolab-test-sh:${process.pid}`;
    let dir: string;
    let counter = 0;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'autolab-container-'));
      for (const folder of ['worktree', 'data', 'data/holdout', 'artifacts']) await mkdir(join(dir, folder), { recursive: true });
      await writeFile(join(dir, 'data', 'train.json'), '{"hint": 1}');
      await writeFile(join(dir, 'data', 'holdout', 'target.json'), '{"secret": 42}');
      await buildTestImage(image);
    }, 300_000);
    afterAll(async () => {
      removeTestImage(image);
      await rm(dir, { recursive: true, force: true });
    });

    function request(command: string): CommandRequest {
      counter += 1;
      return {
        command,
        cwd: join(dir, 'worktree'),
        env: { PATH: '/usr/bin:/bin', AUTOLAB_PHASE: 'run', AUTOLAB_RUN_TOKEN: TOKEN, AUTOLAB_TRIAL: String(counter), AUTOLAB_SEED: '7', AUTOLAB_ARTIFACTS: join(dir, 'artifacts') },
        timeoutMs: 120_000,
        outputCapBytes: 1 << 20,
        logFile: join(dir, `t${counter}`, 'run.log'),
        sandbox: { readOnly: [join(dir, 'data')], writable: [join(dir, 'worktree'), join(dir, 'artifacts')], hidden: [join(dir, 'data', 'holdout'), '/tmp'], network: false },
      };
    }

    const probe = [
      'cat /etc/autolab-image',
      'echo "seed=$AUTOLAB_SEED pwd=$(pwd)"',
      'cat "$AUTOLAB_ARTIFACTS/../data/train.json" 2>/dev/null || cat ../data/train.json',
      'echo',
      'ls ../data/holdout/ | grep -q target && echo holdout-visible || echo holdout-hidden',
      'touch ../data/new 2>/dev/null && echo data-writable || echo data-read-only',
      'echo model > "$AUTOLAB_ARTIFACTS/model.txt" && echo artifacts-written',
      'echo "interfaces: $(ls /sys/class/net | tr "\\n" " ")"',
    ].join('\n');

    async function expectContained(executor: Executor): Promise<void> {
      const sent = request(probe);
      await mkdir(join(dir, `t${counter}`), { recursive: true });
      const result = await executor.run(sent);
      const log = await readFile(sent.logFile, 'utf8');
      expect(result.exitCode, log).toBe(0);
      expect(log).toContain(image);
      expect(log).toContain(`seed=7 pwd=${join(dir, 'worktree')}`);
      expect(log).toContain('{"hint": 1}');
      expect(log).toContain('holdout-hidden');
      expect(log).not.toContain('secret');
      expect(log).toContain('data-read-only');
      expect(log).toContain('artifacts-written');
      expect(log).toMatch(/^interfaces: lo $/m); // no network
      expect(await readFile(join(dir, 'artifacts', 'model.txt'), 'utf8')).toBe('model\n');
      // the container is gone with its command
      expect(execFileSync('podman', ['ps', '-a', '--format', '{{.Names}}'], { encoding: 'utf8' })).not.toContain(`autolab-${TOKEN.slice(0, 8)}-${sent.env.AUTOLAB_TRIAL}-run`);
    }

    it('runs a phase in the image on this machine: its own filesystem, the view of the sandbox, the phase environment', async () => {
      await expectContained(new ContainerExecutor(new LocalExecutor(), options({ image }), dir));
    }, 300_000);

    it('stops the container at the budget and removes it', async () => {
      const executor = new ContainerExecutor(new LocalExecutor(), options({ image }), dir);
      const sent = { ...request('echo started; sleep 600'), timeoutMs: 5_000 };
      await mkdir(join(dir, `t${counter}`), { recursive: true });
      const result = await executor.run(sent);
      expect(result.timedOut).toBe(true);
      expect(execFileSync('podman', ['ps', '-a', '--format', '{{.Names}}'], { encoding: 'utf8' })).not.toContain(`autolab-${TOKEN.slice(0, 8)}-${sent.env.AUTOLAB_TRIAL}-run`);
    }, 300_000);

    describe.runIf(slurm.available)('inside a Slurm job', () => {
      it('runs the phase in the image on the node', async () => {
        await expectContained(new ContainerExecutor(new SlurmExecutor({ partition: 'debug', pollIntervalMs: 250 }), options({ image }), dir));
      }, 300_000);
    });
  });
});
