/**
 * The `container:` key of an executor (`executor: { kind: slurm, container: { image: ... } }`,
 * and the same under `kind: local`): the image trial phases run in, its binds, its GPUs,
 * and the engine that runs it. Shared by every executor kind, checked when the task file
 * is loaded.
 */
import { z } from 'zod';

/** The container engines autolab knows how to call (their documented CLIs). */
export const CONTAINER_ENGINES = ['apptainer', 'singularity', 'podman', 'docker'] as const;
export type ContainerEngine = (typeof CONTAINER_ENGINES)[number];

/** The phases that may run in the container (default: all of them). */
export const CONTAINER_PHASES = ['setup', 'legality', 'preflight', 'run', 'score'] as const;

/** One extra bind: `source` on the host, `target` in the container, read-only or not. */
export interface ContainerBind {
  source: string;
  target: string;
  readOnly: boolean;
}

/** The container every listed phase runs in. */
export interface ContainerOptions {
  /** A `.sif` file or sandbox folder (Apptainer), an image reference (`docker://…`, `localhost/recipe:1`). */
  image: string;
  engine: ContainerEngine;
  /** Host folders or files the container sees besides the phase's own (the worktree, data, artifacts). */
  binds: ContainerBind[];
  /** Give the container the node's GPUs (Apptainer `--nv`, Podman's CDI `nvidia.com/gpu=all`, Docker `--gpus all`). */
  gpu: boolean;
  /** Phases run in the container. */
  phases: string[];
  /** More options for the engine's run/exec command, as written. */
  extraArgs: string[];
}

/** `SRC`, `SRC:DST` or `SRC:DST:ro|rw`, absolute paths. */
const bindSchema = z
  .string()
  .regex(/^\/[^:]*(?::\/[^:]*)?(?::(?:ro|rw))?$/, { error: 'expected SOURCE[:TARGET][:ro|rw] with absolute paths, e.g. /datasets:/datasets:ro' })
  .transform((text): ContainerBind => {
    const [source, second, third] = text.split(':') as [string, string | undefined, string | undefined];
    const mode = second === 'ro' || second === 'rw' ? second : third;
    const target = second !== undefined && second !== 'ro' && second !== 'rw' ? second : source;
    return { source, target, readOnly: mode === 'ro' };
  });

/** What the `container:` key is, for the task file's JSON Schema. */
export const CONTAINER_DESCRIPTION =
  'Run the phases in a container: { image, engine, binds, gpu, phases }. The phase sees its own environment and only the paths autolab binds (docs/cluster.md, "Containers").';

/** The keys of `container:`. */
export const containerOptionsSchema = z
  .strictObject({
    image: z.string().min(1).describe('The image: a .sif file or sandbox folder (Apptainer/Singularity), or an image name such as localhost/recipe:1 or docker://pytorch/pytorch (Podman/Docker).'),
    engine: z
      .enum(CONTAINER_ENGINES)
      .optional()
      .describe('apptainer, singularity, podman or docker. Default: apptainer for a .sif/.simg file, a folder path or a library://, oras://, shub:// image; podman otherwise.'),
    binds: z.array(bindSchema).default([]).describe('More host paths the container sees: SOURCE[:TARGET][:ro|rw], e.g. ["/datasets:/datasets:ro"].'),
    gpu: z.boolean().default(false).describe("Give the container the node's GPUs (Apptainer --nv, Podman --device nvidia.com/gpu=all, Docker --gpus all)."),
    phases: z.array(z.enum(CONTAINER_PHASES)).min(1).optional().describe('Phases that run in the container. Default: all (setup, legality, preflight, run, score).'),
    extra_args: z.array(z.string()).default([]).describe("More options for the engine's exec/run command, e.g. [\"--writable-tmpfs\"]."),
  })
  .describe(CONTAINER_DESCRIPTION);

/** The engine an image calls for when the task file names none. */
export function defaultEngineFor(image: string): ContainerEngine {
  if (/\.(sif|simg)$/i.test(image) || /^(library|oras|shub):\/\//.test(image) || image.startsWith('/') || image.startsWith('./')) return 'apptainer';
  return 'podman';
}

/**
 * The options from the checked keys (the engine chosen when absent).
 *
 * @example toContainerOptions(containerOptionsSchema.parse({ image: '/shared/torch.sif', gpu: true })).engine // 'apptainer'
 */
export function toContainerOptions(keys: z.output<typeof containerOptionsSchema>): ContainerOptions {
  return {
    image: keys.image,
    engine: keys.engine ?? defaultEngineFor(keys.image),
    binds: keys.binds,
    gpu: keys.gpu,
    phases: [...(keys.phases ?? CONTAINER_PHASES)],
    extraArgs: keys.extra_args,
  };
}
