import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { basename } from 'node:path';
import type { CommandRequest, CommandResult, Executor } from '../../core/executor.ts';
import { containerCommand } from './container-command.ts';
import type { ContainerOptions } from '../shared/container-options.ts';

/** Marks autolab's Podman/Docker containers: `autolab-<token8>-…`, like its Slurm jobs. */
function tokenTag(token: string): string {
  return (token.replace(/[^A-Za-z0-9]/g, '').slice(0, 8) || 'untagged').toLowerCase();
}

/** A container name for one phase command: `autolab-<token8>-<trial>-<log stem>-<random>`. */
export function containerNameFor(request: CommandRequest): string {
  const safe = (text: string) => text.replace(/[^A-Za-z0-9_.-]/g, '_');
  const trial = request.env.AUTOLAB_TRIAL !== undefined ? `${safe(request.env.AUTOLAB_TRIAL)}-` : '';
  const stem = safe(basename(request.logFile).replace(/\.log$/, ''));
  return `autolab-${tokenTag(request.env.AUTOLAB_RUN_TOKEN ?? '')}-${trial}${stem}-${randomBytes(3).toString('hex')}`;
}

/**
 * Runs the phases in `options.phases` inside a container, through any executor (local or
 * Slurm): each request's command becomes the engine's exec/run line (`containerCommand`),
 * its sandbox spec becomes the container's view (the container is the sandbox: bubblewrap
 * is not used inside it), its limits apply inside the container, and for Podman/Docker
 * the request carries a `cleanupCommand` that removes the container however the command
 * ended. Other phases pass unchanged.
 *
 * @example
 * const executor = new ContainerExecutor(new LocalExecutor(), { image: 'localhost/recipe:1', engine: 'podman', binds: [], gpu: false, phases: ['run'], extraArgs: [] }, task.root);
 */
export class ContainerExecutor implements Executor {
  readonly kind: string;

  constructor(
    private readonly inner: Executor,
    readonly options: ContainerOptions,
    private readonly taskRoot: string,
  ) {
    this.kind = inner.kind;
  }

  /** The request as it runs: in the container when its phase is one of `options.phases`. */
  wrap(request: CommandRequest): CommandRequest {
    const phase = request.env.AUTOLAB_PHASE;
    if (phase === undefined || !this.options.phases.includes(phase)) return request;
    const name = containerNameFor(request);
    const wrapped = containerCommand({ request, options: this.options, taskRoot: this.taskRoot, name });
    const { sandbox: _sandbox, memoryBytes: _memory, maxFileBytes: _files, maxProcesses: _processes, ...rest } = request;
    const cleanup = [request.cleanupCommand, wrapped.cleanup].filter((line): line is string => typeof line === 'string' && line !== '').join('\n');
    return { ...rest, command: wrapped.command, ...(cleanup !== '' && { cleanupCommand: cleanup }) };
  }

  run(request: CommandRequest): Promise<CommandResult> {
    return this.inner.run(this.wrap(request));
  }

  /** The inner executor's reaping, and (Podman/Docker) the dead driver's containers on this machine. */
  /** The inner executor's adoptable commands (a container changes nothing there). */
  async adoptable(folder: string): Promise<string[]> {
    return (await this.inner.adoptable?.(folder)) ?? [];
  }

  async reapOrphans(token: string, spare?: ReadonlySet<string>): Promise<number> {
    const reaped = await this.inner.reapOrphans(token, spare);
    if (this.options.engine !== 'podman' && this.options.engine !== 'docker') return reaped;
    return reaped + (await removeContainers(this.options.engine, `autolab-${tokenTag(token)}-`));
  }
}

/** Removes this machine's containers whose names start with `prefix`; 0 when the engine is missing or fails. */
function removeContainers(engine: 'podman' | 'docker', prefix: string): Promise<number> {
  return new Promise((resolve) => {
    execFile(engine, ['ps', '-a', '--format', '{{.Names}}'], { timeout: 30_000 }, (error, stdout) => {
      if (error) return resolve(0);
      const names = stdout.split('\n').map((line) => line.trim()).filter((name) => name.startsWith(prefix));
      if (names.length === 0) return resolve(0);
      execFile(engine, ['rm', '-f', ...names], { timeout: 60_000 }, () => resolve(names.length));
    });
  });
}
