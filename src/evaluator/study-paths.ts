import { join } from 'node:path';

/** Where a study keeps its files under `<root>/.autolab/`. */
export interface StudyPaths {
  state: string;
  store: string;
  study: string;
  data: string;
  holdout: string;
  setupLog: string;
  setupDone: string;
  trial(id: number): string;
  artifacts(id: number): string;
  log(id: number, phase: 'preflight' | 'run' | 'score' | 'legality'): string;
  /** The worktree name of a trial (unique across studies of one root). */
  worktreeName(id: number): string;
}

export function studyPaths(root: string, studyName: string): StudyPaths {
  const state = join(root, '.autolab');
  const study = join(state, 'studies', studyName);
  return {
    state,
    store: join(state, 'autolab.db'),
    study,
    data: join(study, 'data'),
    holdout: join(study, 'holdout'),
    setupLog: join(study, 'setup.log'),
    setupDone: join(study, 'setup.done'),
    trial: (id) => join(study, 'trials', String(id)),
    artifacts: (id) => join(study, 'trials', String(id), 'artifacts'),
    log: (id, phase) => join(study, 'trials', String(id), `${phase}.log`),
    worktreeName: (id) => `${studyName}+${id}`,
  };
}
