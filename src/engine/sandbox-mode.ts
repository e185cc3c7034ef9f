import { AutolabError, type AutolabWarning } from '../core/errors.ts';
import type { SandboxMode, TaskSpec } from '../core/task.ts';
import { probeBwrap, type BwrapProbe } from '../executors/local/sandbox-probe.ts';

/** The warning code when trials run unsandboxed because bubblewrap does not work here. */
export const SANDBOX_UNAVAILABLE = 'sandbox_unavailable';

/**
 * Decides how this study's trial code is isolated: `sandbox: none` in the task file
 * means none; `sandbox: bwrap` means bwrap, and it is an error when bwrap does not work
 * here; left out, bwrap where it works, else none with a warning (returned, for the
 * caller to print once).
 *
 * @example
 * const { mode, warning } = await resolveSandboxMode(task);
 * if (warning) events.emit('warning', warning);
 */
export async function resolveSandboxMode(task: Pick<TaskSpec, 'sandbox'>, probe: () => Promise<BwrapProbe> = () => probeBwrap()): Promise<{ mode: SandboxMode; warning: AutolabWarning | null }> {
  if (task.sandbox === 'none') return { mode: 'none', warning: null };
  const found = await probe();
  if (found.available) return { mode: 'bwrap', warning: null };
  if (task.sandbox === 'bwrap') {
    throw new AutolabError('SandboxUnavailable', `the task file asks for sandbox: bwrap, but ${found.reason}`, {
      hint: 'install bubblewrap (apt-get install bubblewrap), allow user namespaces for it (see docs/security.md), or set `sandbox: none` in autolab.yaml',
    });
  }
  return {
    mode: 'none',
    warning: {
      code: SANDBOX_UNAVAILABLE,
      message:
        `trials run WITHOUT a sandbox: ${found.reason}. Trial code can read what you can read (held-out data included), reach the network and write outside its worktree. ` +
        'Install bubblewrap to isolate it, or set `sandbox: none` in autolab.yaml to accept this (see docs/security.md).',
    },
  };
}
