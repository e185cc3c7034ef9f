/**
 * The bash text of a batch script below its `#SBATCH` lines (see `batchScript`): one
 * `case` branch per element setting its files, environment and sandbox, then the body
 * every element runs. Split from `batch-script.ts` so each part stays readable; the
 * functions return lines.
 */
import { realpathSync } from 'node:fs';
import { ulimitLines } from '../shared/resource-limits.ts';
import { BWRAP_FLAGS, bwrapMountWords, sandboxMounts } from '../shared/sandbox-mounts.ts';
import type { BatchScriptInput, JobElement } from './batch-script-input.ts';

/** Single-quotes a word for bash. */
function q(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Variables Slurm sets in a job that the command keeps, beside `SLURM_*` (minus `SLURM_EXPORT_ENV`). */
const SLURM_GPU_VARIABLES = ['CUDA_VISIBLE_DEVICES', 'GPU_DEVICE_ORDINAL', 'ROCR_VISIBLE_DEVICES'];

/** How much of the output past the cap is kept (its end), for the log excerpt. */
export const DROPPED_TAIL_BYTES = 65_536;

function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** The bubblewrap launcher of one element: the sandbox's mounts, the worktree and artifacts as the variables staging may move. */
function sandboxFunction(element: JobElement): string[] {
  const spec = element.sandbox;
  if (spec === undefined) return ['  autolab_has_sandbox=0'];
  const artifacts = element.env.AUTOLAB_ARTIFACTS;
  const moving = new Map<string, string>([
    [element.cwd, '"$autolab_cwd"'],
    [realOrSelf(element.cwd), '"$autolab_cwd"'],
  ]);
  if (artifacts !== undefined) {
    moving.set(artifacts, '"$autolab_artifacts"');
    moving.set(realOrSelf(artifacts), '"$autolab_artifacts"');
  }
  const word = (path: string) => moving.get(path) ?? q(path);
  const mounts = sandboxMounts(spec, new Set([element.cwd, ...(artifacts !== undefined ? [artifacts] : [])])).flatMap((mount) => bwrapMountWords(mount, word));
  return [
    '  autolab_has_sandbox=1',
    '  autolab_sandbox() {',
    `    autolab_launcher=("$autolab_bwrap" ${BWRAP_FLAGS.join(' ')}${spec.network ? '' : ' --unshare-net'} --ro-bind / / --dev /dev --proc /proc)`,
    '    for autolab_dev in /dev/nvidia* /dev/dri /dev/kfd; do [ -e "$autolab_dev" ] && autolab_launcher+=(--dev-bind "$autolab_dev" "$autolab_dev"); done',
    `    autolab_launcher+=(${mounts.join(' ')} --chdir "$autolab_cwd" --)`,
    '  }',
  ];
}

/** One `case` branch: what element `index` runs and where it writes. */
export function elementLines(index: number, element: JobElement, input: BatchScriptInput): string[] {
  const env = Object.entries(element.env).map(([name, value]) => q(`${name}=${value}`));
  const shell = input.prologue && input.prologue.length > 0 ? ['/bin/bash', '-c', q([...input.prologue, 'exec /bin/sh -c "$0"'].join('\n')), '"$autolab_command"'] : ['/bin/sh', '-c', '"$autolab_command"'];
  return [
    `${index})`,
    `  autolab_status=${q(element.statusFile)}; autolab_log=${q(element.logFile)}; autolab_tail=${q(element.tailFile)}`,
    `  autolab_cwd=${q(element.cwd)}; autolab_shared_artifacts=${q(element.env.AUTOLAB_ARTIFACTS ?? '')}`,
    `  autolab_cap=${Math.max(0, Math.floor(element.outputCapBytes))}; autolab_timeout_s=${Math.ceil(element.timeoutMs / 1000)}`,
    `  autolab_command=${q(element.command)}`,
    `  autolab_cleanup=${q(element.cleanup ?? '')}`,
    `  autolab_env=(${env.join(' ')})`,
    `  autolab_shell=(${shell.join(' ')})`,
    '  autolab_limits() {',
    ...ulimitLines(element).map((line) => `    ${line}`),
    '    :',
    '  }',
    ...sandboxFunction(element),
    '  ;;',
  ];
}

/** Record the start; the TERM trap; enter the working directory (or say it is not on this node). */
function startLines(): string[] {
  return [
    `printf 'started %s %s\\n' "$(date +%s%N)" "$(hostname)" >> "$autolab_status"`,
    'autolab_artifacts="$autolab_shared_artifacts"',
    'autolab_group=; autolab_stage=; autolab_fifo=; autolab_timer=; autolab_capturer=',
    'autolab_release() {',
    '  [ -n "$autolab_cleanup" ] && /bin/sh -c "$autolab_cleanup" >/dev/null 2>&1',
    '  [ -n "$autolab_stage" ] && rm -rf "$autolab_stage"',
    '  [ -n "$autolab_fifo" ] && rm -f "$autolab_fifo.out" "$autolab_fifo.rest"',
    '  return 0',
    '}',
    'autolab_on_term() {',
    '  [ -n "$autolab_group" ] && kill -KILL -"$autolab_group" 2>/dev/null',
    '  [ -n "$autolab_timer" ] && kill "$autolab_timer" 2>/dev/null',
    '  autolab_release',
    '  exit 143',
    '}',
    'trap autolab_on_term TERM',
    'if ! cd "$autolab_cwd" 2>/dev/null; then',
    `  printf 'cwd-missing %s\\n' "$(hostname)" >> "$autolab_status"`,
    '  echo "[autolab: the working directory $autolab_cwd is not visible on $(hostname): it must be on a filesystem the nodes share with the driver]" >&2',
    '  exit 1',
    'fi',
  ];
}

/** Copy the worktree to node-local scratch; the artifacts are written there and copied back at the end. */
function stagingLines(scratch: string | undefined): string[] {
  if (scratch === undefined) return [];
  const root = `"${scratch.replace(/["`\\]/g, '\\$&')}"`;
  return [
    `autolab_stage=${root}/"autolab-\${SLURM_JOB_ID:-$$}-$autolab_i"`,
    'if ! autolab_why="$( { rm -rf "$autolab_stage" && mkdir -p "$autolab_stage/work" "$autolab_stage/artifacts" && cp -a "$autolab_cwd/." "$autolab_stage/work/"; } 2>&1 )"; then',
    `  printf 'stage-failed %s %s\\n' "$(hostname)" "$(printf %s "$autolab_why" | tr '\\n' ' ' | head -c 300)" >> "$autolab_status"`,
    '  autolab_release; exit 1',
    'fi',
    'autolab_cwd="$autolab_stage/work"; cd "$autolab_cwd" || exit 1',
    '[ -n "$autolab_shared_artifacts" ] && autolab_artifacts="$autolab_stage/artifacts"',
  ];
}

/** Check bubblewrap on this node when the element has a sandbox; build its launcher; srun in front when asked. */
function launcherLines(input: BatchScriptInput): string[] {
  return [
    'autolab_launcher=()',
    'if [ "$autolab_has_sandbox" = 1 ]; then',
    '  autolab_bwrap="$(command -v bwrap 2>/dev/null)"',
    '  if [ -z "$autolab_bwrap" ]; then autolab_why="bwrap is not installed"',
    `  elif ! autolab_why="$("$autolab_bwrap" ${BWRAP_FLAGS.join(' ')} --unshare-net --ro-bind / / --dev /dev --proc /proc --tmpfs /tmp -- /bin/sh -c 'exit 0' 2>&1)"; then autolab_why="bwrap failed: $autolab_why"`,
    '  else autolab_why=; fi',
    '  if [ -n "$autolab_why" ]; then',
    `    printf 'sandbox-missing %s %s\\n' "$(hostname)" "$(printf %s "$autolab_why" | tr '\\n' ' ' | head -c 300)" >> "$autolab_status"`,
    '    echo "[autolab: bubblewrap cannot build the sandbox on $(hostname): $autolab_why]" >&2',
    '    autolab_release; exit 1',
    '  fi',
    '  autolab_sandbox',
    'fi',
    ...(input.launch === 'srun' ? ['autolab_launcher=("$(command -v srun)" --export=ALL --kill-on-bad-exit=1 "${autolab_launcher[@]}")'] : []),
  ];
}

/** Slurm's variables and GPU binding, and the artifacts folder when it was staged. */
function environmentLines(): string[] {
  return [
    'autolab_slurm_env=()',
    'while IFS= read -r autolab_name; do',
    '  case "$autolab_name" in',
    '    SLURM_EXPORT_ENV) ;;',
    `    SLURM_*|${SLURM_GPU_VARIABLES.join('|')}) autolab_slurm_env+=("$autolab_name=\${!autolab_name}") ;;`,
    '  esac',
    'done < <(compgen -e)',
    'autolab_overrides=()',
    '[ "$autolab_artifacts" != "$autolab_shared_artifacts" ] && autolab_overrides+=("AUTOLAB_ARTIFACTS=$autolab_artifacts")',
  ];
}

/** The output goes through a pipe: the first `cap` bytes to the log, the rest counted and its end kept. */
function captureLines(): string[] {
  return [
    'autolab_fifo="$(mktemp -u "${TMPDIR:-/tmp}/autolab-out.XXXXXXXX")"',
    'if mkfifo -m 600 "$autolab_fifo.out" "$autolab_fifo.rest" 2>/dev/null; then',
    '  autolab_head=(head)  # GNU head -c reads no byte past the cap; stdbuf makes it write each read at once',
    '  command -v stdbuf >/dev/null 2>&1 && autolab_head=(stdbuf -o0 head)',
    '  autolab_capture() {',
    '    "${autolab_head[@]}" -c "$autolab_cap" > "$autolab_log"',
    `    tail -c ${DROPPED_TAIL_BYTES} < "$autolab_fifo.rest" > "$autolab_tail" &`,
    '    local autolab_tailer=$! autolab_dropped',
    '    autolab_dropped=$(tee "$autolab_fifo.rest" | wc -c)',
    '    wait "$autolab_tailer"',
    `    printf 'output %s\\n' "$autolab_dropped" >> "$autolab_status"`,
    '  }',
    '  autolab_capture < "$autolab_fifo.out" &',
    '  autolab_capturer=$!',
    '  autolab_out="$autolab_fifo.out"',
    'else',
    '  autolab_fifo=; autolab_out="$autolab_log"  # no fifo here: the log is cut when the job has ended',
    'fi',
  ];
}

/** Start the command in a process group of its own; forward the checkpoint signal; time it before the budget. */
function launchLines(input: BatchScriptInput): string[] {
  const signal = input.signal;
  const lines = [
    'autolab_setsid=',
    'command -v setsid >/dev/null 2>&1 && autolab_setsid=setsid',
    ...(signal === undefined ? [] : [`trap '[ -n "$autolab_group" ] && kill -${signal.name} -- -"$autolab_group" 2>/dev/null' ${signal.name}`]),
    '(',
    '  set -o posix  # ulimit -f in 512-byte blocks, as /bin/sh counts them',
    '  autolab_limits',
    '  exec $autolab_setsid /usr/bin/env -i "${autolab_env[@]}" "${autolab_overrides[@]}" "${autolab_slurm_env[@]}" "${autolab_launcher[@]}" "${autolab_shell[@]}"',
    ') > "$autolab_out" 2>&1 &',
    'autolab_group=$!',
  ];
  if (signal === undefined) return lines;
  const beforeS = Math.max(1, Math.round(signal.beforeMs / 1000));
  return [
    ...lines,
    `if [ "$autolab_timeout_s" -gt ${beforeS} ]; then`,
    `  ( trap 'kill "$autolab_sleep" 2>/dev/null; exit 0' TERM; sleep $((autolab_timeout_s - ${beforeS})) & autolab_sleep=$!; wait "$autolab_sleep"; kill -${signal.name} -- -"$autolab_group" 2>/dev/null ) &`,
    '  autolab_timer=$!',
    'fi',
  ];
}

/** Wait for the command (through trapped signals), kill what it left, copy the artifacts back, record the exit. */
function finishLines(): string[] {
  return [
    'while :; do',
    '  wait "$autolab_group"; autolab_code=$?',
    '  kill -0 "$autolab_group" 2>/dev/null || break',
    'done',
    // A trapped signal ends `wait` early (128 + its number); if the command exited before
    // `kill -0` looked, its own status is still unreaped: collect it (127: it was reaped, keep the code).
    'if [ "$autolab_code" -gt 128 ]; then wait "$autolab_group" 2>/dev/null; autolab_reaped=$?; [ "$autolab_reaped" -ne 127 ] && autolab_code=$autolab_reaped; fi',
    'kill -KILL -"$autolab_group" 2>/dev/null',
    'autolab_group=',
    '[ -n "$autolab_timer" ] && kill "$autolab_timer" 2>/dev/null',
    'if [ -n "$autolab_capturer" ]; then',
    '  for autolab_n in $(seq 1 100); do kill -0 "$autolab_capturer" 2>/dev/null || break; sleep 0.1; done',
    '  kill -0 "$autolab_capturer" 2>/dev/null && { pkill -P "$autolab_capturer" 2>/dev/null; kill "$autolab_capturer" 2>/dev/null; }',
    '  wait "$autolab_capturer" 2>/dev/null',
    'fi',
    'if [ "$autolab_artifacts" != "$autolab_shared_artifacts" ]; then',
    '  if ! autolab_why="$(cp -a "$autolab_artifacts/." "$autolab_shared_artifacts/" 2>&1)"; then',
    `    printf 'stage-failed %s copying the artifacts back: %s\\n' "$(hostname)" "$(printf %s "$autolab_why" | tr '\\n' ' ' | head -c 300)" >> "$autolab_status"`,
    '  fi',
    'fi',
    'autolab_release',
    `printf 'exited %s %s\\n' "$autolab_code" "$(date +%s%N)" >> "$autolab_status"`,
    'exit $autolab_code',
  ];
}

/** Everything after the `case`: start, stage, sandbox, environment, capture, launch, finish. */
export function jobBodyLines(input: BatchScriptInput): string[] {
  return [...startLines(), ...stagingLines(input.scratch), ...launcherLines(input), ...environmentLines(), ...captureLines(), ...launchLines(input), ...finishLines()];
}
