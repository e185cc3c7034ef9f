import { afterEach } from 'vitest';
import { makeRecipeRepo } from './recipe-repo.ts';

/** A test file's recipe repos and whatever else its tests open, undone after each test, last first. */
export interface RecipeRepos {
  /** A fresh git repo of the fixture's files; returns its folder. */
  recipe(): Promise<string>;
  /** Runs `cleanup` after the current test (after the ones deferred later). */
  defer(cleanup: () => Promise<void> | void): void;
}

/**
 * Registers an `afterEach` that removes the test's recipe repos and runs what it deferred.
 *
 * @example
 * const repos = useRecipeRepos(FIXTURE);
 * it('opens', async () => { const study = await openStudy(await repos.recipe(), { create: true }); repos.defer(() => study.close()); });
 */
export function useRecipeRepos(fixture: string): RecipeRepos {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return {
    async recipe() {
      const repo = await makeRecipeRepo(fixture);
      cleanups.push(repo.cleanup);
      return repo.dir;
    },
    defer: (cleanup) => void cleanups.push(cleanup),
  };
}
