/**
 * How every executor decides that a failed command ran out of memory
 * (`CommandResult.oomSuspected`, label `oom`): one rule, and the phrases that runtimes
 * print when an allocation fails.
 */

/**
 * Phrases that runtimes print when an allocation fails. Any of them in a failed
 * command's output makes an executor suspect memory exhaustion (matched
 * case-insensitively). An executor may add its machine's own (Slurm's OverMemoryKill).
 */
export const OUT_OF_MEMORY_PHRASES: readonly string[] = [
  'MemoryError',
  'out of memory',
  'Cannot allocate memory',
  'std::bad_alloc',
  'CUDA out of memory',
  'JavaScript heap out of memory',
];

/**
 * One case-insensitive pattern that matches any of `phrases` literally.
 *
 * @example outOfMemoryPattern(OUT_OF_MEMORY_PHRASES).test('MemoryError: ...') // true
 */
export function outOfMemoryPattern(phrases: readonly string[]): RegExp {
  return new RegExp(phrases.map((phrase) => phrase.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'i');
}

/** What is known about how a command ended, for `suspectOutOfMemory`. */
export interface CommandEndFacts {
  /** The command did not succeed (non-zero exit, or ended by a signal). */
  failed: boolean;
  /** autolab ended it itself (the budget or an abort): never memory. */
  endedByAutolab: boolean;
  exitCode: number | null;
  /** The signal that ended the command's leader (`SIGKILL`), if any. */
  signal: string | null;
  /** Its output mentions running out of memory (see `OUT_OF_MEMORY_PHRASES`). */
  outOfMemoryPhraseSeen: boolean;
  /** The machine said so itself (Slurm's `OUT_OF_MEMORY` state). */
  reportedOutOfMemory?: boolean;
}

/**
 * Whether a command's end looks like memory exhaustion: it failed, autolab did not end
 * it, and either its leader was SIGKILLed by someone else (the kernel's OOM killer) or a
 * shell reported exit 137 (128 + SIGKILL), or its output names memory exhaustion, or
 * the machine reported it.
 *
 * @example suspectOutOfMemory({ failed: true, endedByAutolab: false, exitCode: null, signal: 'SIGKILL', outOfMemoryPhraseSeen: false }) // true
 */
export function suspectOutOfMemory(facts: CommandEndFacts): boolean {
  if (!facts.failed || facts.endedByAutolab) return false;
  return facts.signal === 'SIGKILL' || facts.exitCode === 137 || facts.outOfMemoryPhraseSeen || facts.reportedOutOfMemory === true;
}
