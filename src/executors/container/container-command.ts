/**
 * One phase command as a container command line, for each engine's documented CLI:
 * `apptainer exec` (and `singularity exec`, the same CLI), `podman run`, `docker run`.
 * Pure: the result is shell text that the executor runs with `/bin/sh -c` wherever the
 * phase runs (this machine, or a Slurm node).
 *
 * The container's view is the phase's: with a sandbox spec (trial code), exactly its
 * read-only and writable paths, its hidden paths masked where they lie inside a bound one,
 * and no network unless the spec allows it; without one (setup, score), the task folder.
 * The worktree and the artifacts folder are referred to as `$PWD` and `$AUTOLAB_ARTIFACTS`,
 * so they follow the phase when an executor moves it (node-local scratch).
 */
import { isAbsolute, relative } from 'node:path';
import type { CommandRequest, SandboxSpec } from '../../core/executor.ts';
import { ulimitLines } from '../shared/resource-limits.ts';
import type { ContainerEngine, ContainerOptions } from '../shared/container-options.ts';

/** Variables of the phase environment that describe the host, not the container: never passed in. */
export const HOST_ONLY_VARIABLES: readonly string[] = ['PATH', 'HOME', 'LD_LIBRARY_PATH', 'TMPDIR', 'XDG_RUNTIME_DIR', 'CONTAINER_HOST', 'CONTAINERS_CONF', 'CONTAINERS_STORAGE_CONF', 'DOCKER_HOST', 'DOCKER_CONFIG'];

/** Prefixes of the engines' own settings (read by the engine's CLI, not passed in). */
const ENGINE_PREFIXES = ['APPTAINER_', 'SINGULARITY_', 'APPTAINERENV_', 'SINGULARITYENV_'];

/** Single-quotes a word for /bin/sh. */
function quote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

interface Mount {
  source: string;
  target: string;
  readOnly: boolean;
}

/** What the container is: the request it wraps, where it may look, and its name (Podman/Docker). */
export interface ContainerCommandInput {
  request: CommandRequest;
  options: ContainerOptions;
  /** The task folder: the view of a phase without a sandbox spec. */
  taskRoot: string;
  /** A unique container name (Podman/Docker `--name`; the cleanup removes it by that name). */
  name: string;
}

/** The wrapped command, and the command that removes what may be left of the container. */
export interface ContainerCommand {
  command: string;
  /** Podman/Docker: `rm -f` by name (the container outlives its client when the client is killed). Apptainer: none (its processes are the command's). */
  cleanup: string | null;
}

function inside(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** The shell word for a host path: `"$PWD"` for the working directory, `"$AUTOLAB_ARTIFACTS"` for the artifacts folder. */
function pathWord(path: string, request: CommandRequest): string {
  if (path === request.cwd) return '"$PWD"';
  if (path === request.env.AUTOLAB_ARTIFACTS) return '"$AUTOLAB_ARTIFACTS"';
  return quote(path);
}

/** The mounts and masked paths of the view, and whether the network is there. */
function viewOf(request: CommandRequest, options: ContainerOptions, taskRoot: string): { mounts: Mount[]; masks: string[]; network: boolean } {
  const sandbox: SandboxSpec | undefined = request.sandbox;
  const mounts: Mount[] = [];
  if (sandbox) {
    for (const path of sandbox.readOnly) mounts.push({ source: path, target: path, readOnly: true });
    for (const path of sandbox.writable) mounts.push({ source: path, target: path, readOnly: false });
  } else {
    mounts.push({ source: taskRoot, target: taskRoot, readOnly: false });
    if (!inside(request.cwd, taskRoot)) mounts.push({ source: request.cwd, target: request.cwd, readOnly: false });
  }
  for (const bind of options.binds) mounts.push(bind);
  const masks = (sandbox?.hidden ?? []).filter((hidden) => mounts.some((mount) => inside(hidden, mount.source) && hidden !== mount.source));
  return { mounts, masks, network: sandbox?.network ?? true };
}

/** The variables passed into a Podman/Docker container by name (`-e NAME`: the value comes from the engine's own environment). */
function passedVariables(env: Readonly<Record<string, string>>): string[] {
  return Object.keys(env).filter((name) => !HOST_ONLY_VARIABLES.includes(name) && !ENGINE_PREFIXES.some((prefix) => name.startsWith(prefix)));
}

/** Inside the container: the limits, then the command. */
function innerCommand(request: CommandRequest): string[] {
  const limits = ulimitLines({
    ...(request.memoryBytes !== undefined && { memoryBytes: request.memoryBytes }),
    ...(request.maxFileBytes !== undefined && { maxFileBytes: request.maxFileBytes }),
    ...(request.maxProcesses !== undefined && { maxProcesses: request.maxProcesses }),
  });
  if (limits.length === 0) return ['/bin/sh', '-c', quote(request.command)];
  return ['/bin/sh', '-c', quote([...limits, 'exec /bin/sh -c "$0"'].join('\n')), quote(request.command)];
}

function apptainerLines(engine: ContainerEngine, input: ContainerCommandInput, view: ReturnType<typeof viewOf>): string[] {
  const { request, options } = input;
  const lines = ['set --'];
  for (const mount of view.mounts) {
    const source = pathWord(mount.source, request);
    const target = mount.target === mount.source ? source : quote(mount.target);
    lines.push(`[ -e ${source} ] && set -- "$@" --bind ${source}:${target}${mount.readOnly ? ':ro' : ''}`);
  }
  for (const mask of view.masks) lines.push(`if [ -d ${quote(mask)} ]; then set -- "$@" --scratch ${quote(mask)}; elif [ -e ${quote(mask)} ]; then set -- "$@" --bind /dev/null:${quote(mask)}:ro; fi`);
  const flags = ['--contain', '--pwd', '"$PWD"', ...(view.network ? [] : ['--net', '--network', 'none']), ...(options.gpu ? ['--nv'] : []), ...options.extraArgs.map(quote)];
  lines.push(`exec ${engine} exec ${flags.join(' ')} "$@" ${quote(options.image)} ${innerCommand(request).join(' ')}`);
  return lines;
}

function ociLines(engine: ContainerEngine, input: ContainerCommandInput, view: ReturnType<typeof viewOf>): string[] {
  const { request, options, name } = input;
  const lines = ['set --'];
  for (const mount of view.mounts) {
    const source = pathWord(mount.source, request);
    const target = mount.target === mount.source ? source : quote(mount.target);
    lines.push(`[ -e ${source} ] && set -- "$@" -v ${source}:${target}${mount.readOnly ? ':ro' : ''}`);
  }
  // A hidden folder inside a bound one gets an empty folder bound over it: Podman 4's
  // --tmpfs there is mounted before the bind and so masks nothing.
  if (view.masks.length > 0) lines.push('autolab_empty="${TMPDIR:-/tmp}/autolab-empty-$(id -u)"; mkdir -p -m 0500 "$autolab_empty" 2>/dev/null; [ -z "$(ls -A "$autolab_empty" 2>/dev/null)" ] || autolab_empty=');
  for (const mask of view.masks) lines.push(`if [ -d ${quote(mask)} ]; then if [ -n "$autolab_empty" ]; then set -- "$@" -v "$autolab_empty":${quote(mask)}:ro; else set -- "$@" --tmpfs ${quote(mask)}; fi; elif [ -e ${quote(mask)} ]; then set -- "$@" -v /dev/null:${quote(mask)}:ro; fi`);
  for (const variable of passedVariables(request.env)) lines.push(`set -- "$@" -e ${variable}`);
  // Files the phase writes belong to the user who runs autolab (rootless Podman maps it with keep-id).
  const userFlags = engine === 'podman' ? '--user "$(id -u):$(id -g)" $([ "$(id -u)" = 0 ] || echo --userns=keep-id)' : '--user "$(id -u):$(id -g)"';
  const gpu = options.gpu ? (engine === 'podman' ? ['--device', 'nvidia.com/gpu=all'] : ['--gpus', 'all']) : [];
  const flags = ['--rm', '--name', quote(name), '-w', '"$PWD"', ...(view.network ? [] : ['--network', 'none']), ...gpu, ...options.extraArgs.map(quote)];
  lines.push(`exec ${engine} run ${flags.join(' ')} ${userFlags} "$@" ${quote(options.image)} ${innerCommand(request).join(' ')}`);
  return lines;
}

/**
 * The container command of one request: the engine's exec/run line with the view's binds
 * (each only when its source exists where the phase runs), the limits applied inside the
 * container (the engine itself runs without them), and the phase command last.
 *
 * @example
 * const { command, cleanup } = containerCommand({ request, options: { image: '/shared/torch.sif', engine: 'apptainer', binds: [], gpu: true, phases: ['run'], extraArgs: [] }, taskRoot, name: 'autolab-1a2b3c4d-7-run-x1' });
 */
export function containerCommand(input: ContainerCommandInput): ContainerCommand {
  const view = viewOf(input.request, input.options, input.taskRoot);
  const engine = input.options.engine;
  if (engine === 'apptainer' || engine === 'singularity') return { command: apptainerLines(engine, input, view).join('\n'), cleanup: null };
  return { command: ociLines(engine, input, view).join('\n'), cleanup: `${engine} rm -f ${engine === 'podman' ? '-t 0 ' : ''}${quote(input.name)} >/dev/null 2>&1 || true` };
}
