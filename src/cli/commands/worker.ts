import { AutolabError } from '../../core/errors.ts';
import { TypedEmitter, type StudyEventMap } from '../../core/events.ts';
import { waitForStudy } from '../../engine/open-study.ts';
import { checkLease } from '../../engine/study-work-options.ts';
import { parseStoreLocation } from '../../store/open-store.ts';
import { palette, useColor } from '../format.ts';
import { listenForInterrupts } from '../interrupts.ts';

export interface WorkerCommandOptions {
  task?: string;
  store?: string;
  study?: string;
  /** Seconds. */
  lease?: number;
  parallel?: number;
  /** Seconds. */
  idleExit?: number;
  maxTrials?: number;
}

function hidePassword(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');
}

/**
 * `autolab worker [PATH] --store URL`: claims trials queued by `autolab run --remote`
 * and evaluates them on this host, until Ctrl-C (or `--idle-exit`, `--max-trials`).
 */
export async function workerCommand(path: string, options: WorkerCommandOptions): Promise<number> {
  const store = options.store ?? process.env.AUTOLAB_STORE;
  if (store === undefined || parseStoreLocation(store).kind !== 'postgres') {
    throw new AutolabError('UsageError', 'autolab worker needs the study\'s shared store: --store postgres://USER:PASSWORD@HOST:5432/DB (or AUTOLAB_STORE)', {
      hint: 'the driver (autolab run --remote) and its workers must use the same PostgreSQL store',
    });
  }
  const out = process.stdout;
  const c = palette(useColor(out));
  const { stop, kill, dispose } = listenForInterrupts((text) => out.write(c.yellow(text)), '\nCtrl-C: claiming no more trials; waiting for running ones. Press Ctrl-C again to stop them (recorded interrupted).\n');
  const events = new TypedEmitter<StudyEventMap>();
  events.on('warning', (warning) => out.write(c.yellow(`  warning: ${warning.message}\n`)));
  try {
    out.write(`${c.bold('autolab worker')} · store ${hidePassword(store)} · task ${path}\n`);
    const leaseMs = options.lease !== undefined ? options.lease * 1000 : undefined;
    const idleExitMs = options.idleExit !== undefined ? options.idleExit * 1000 : undefined;
    checkLease(leaseMs);
    // A worker may start before its driver: wait for the study to appear in the store.
    const study = await waitForStudy(path, { store, events, signal: stop, ...(options.study !== undefined ? { study: options.study } : {}), ...(idleExitMs !== undefined ? { timeoutMs: idleExitMs } : {}) });
    if (study === null) {
      out.write(`${c.bold(`Stopped: ${stop.aborted ? 'stopped by the user' : 'the study never appeared in the store'}.`)} 0 trial(s) recorded by this worker.\n`);
      return 0;
    }
    let summary;
    try {
      summary = await study.work({
        stop,
        kill,
        log: (line) => out.write(`  ${line}\n`),
        ...(leaseMs !== undefined ? { leaseMs } : {}),
        ...(options.parallel !== undefined ? { parallel: options.parallel } : {}),
        ...(idleExitMs !== undefined ? { idleExitMs } : {}),
        ...(options.maxTrials !== undefined ? { maxTrials: options.maxTrials } : {}),
      });
    } finally {
      await study.close();
    }
    out.write(`${c.bold(`Stopped: ${summary.stopReason}.`)} ${summary.recordedCount} trial(s) recorded by this worker${summary.levelsMeasured > 0 ? `, ${summary.levelsMeasured} fidelity level(s) measured and handed back` : ''}${summary.lost.length > 0 ? `, ${summary.lost.length} lost to an expired lease (#${summary.lost.join(', #')})` : ''}.\n`);
    return 0;
  } finally {
    dispose();
  }
}
