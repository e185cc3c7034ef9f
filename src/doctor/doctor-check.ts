/**
 * One finding of `autolab doctor`: what was checked, how it stands, and what to install
 * or change (Debian package names where a package fixes it).
 */

/** `ok`: ready. `warn`: works, with a caveat. `fail`: the study cannot run (or not as asked). `info`: for the record. */
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'info';

export interface DoctorCheck {
  /** The group: machine, sandbox, commands, python, gpu, store, slurm. */
  area: string;
  /** What was checked, e.g. `git`, `python3 (run)`, `numpy`. */
  name: string;
  status: CheckStatus;
  /** What was found (a version, a path, the reason it fails). */
  detail: string;
  /** What to do, e.g. `apt-get install bubblewrap`. */
  fix?: string;
}

/** A check, with `fix` only when there is one. */
export function check(area: string, name: string, status: CheckStatus, detail: string, fix?: string): DoctorCheck {
  return fix === undefined ? { area, name, status, detail } : { area, name, status, detail, fix };
}
