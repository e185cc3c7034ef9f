/** The two signals a long command (run, worker) stops on. */
export interface Interrupts {
  /** Aborted at the first Ctrl-C or at SIGTERM: start nothing new, let running work finish. */
  stop: AbortSignal;
  /** Aborted at the second Ctrl-C or at SIGTERM: stop running work too. */
  kill: AbortSignal;
  /** Removes the signal handlers. */
  dispose(): void;
}

/**
 * Listens for Ctrl-C and SIGTERM the way `autolab run` and `autolab worker` stop: the
 * first Ctrl-C prints `firstNotice` and aborts `stop`; a second aborts `kill`; SIGTERM
 * aborts both at once.
 *
 * @example
 * const interrupts = listenForInterrupts((text) => out.write(text), '\nCtrl-C: no new trials.\n');
 * try { await study.run({ stop: interrupts.stop, kill: interrupts.kill }); } finally { interrupts.dispose(); }
 */
export function listenForInterrupts(write: (text: string) => void, firstNotice: string): Interrupts {
  const stop = new AbortController();
  const kill = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts += 1;
    if (interrupts === 1) {
      write(firstNotice);
      stop.abort();
    } else kill.abort();
  };
  const onSigterm = () => {
    stop.abort();
    kill.abort();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  return {
    stop: stop.signal,
    kill: kill.signal,
    dispose() {
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigterm);
    },
  };
}
