import { describe, expect, it } from 'vitest';
import { recipeRelativeStatePaths, statePathProblem } from './state-paths.ts';

describe('state paths', () => {
  it('keeps the paths inside the recipe, relative to it', () => {
    expect(recipeRelativeStatePaths('/proj', ['/proj/autolab.yaml', '/proj/.autolab', '/var/db/x.db', '/proj'])).toEqual(['autolab.yaml', '.autolab']);
    expect(recipeRelativeStatePaths('/proj/recipe', ['/proj/autolab.yaml'])).toEqual([]);
  });

  it('refuses a .autolab segment anywhere and the study state paths', () => {
    expect(statePathProblem('.autolab/repo.git/config', [])).toMatch(/inside a '\.autolab' folder/);
    expect(statePathProblem('sub/.autolab/studies/x/holdout/t.json', [])).toMatch(/'\.autolab'/);
    expect(statePathProblem('autolab.yaml', ['autolab.yaml'])).toMatch(/state or task file \(autolab\.yaml\)/);
    expect(statePathProblem('runs/study.db', ['runs/study.db'])).not.toBeNull();
    expect(statePathProblem('.autolabx/a', [])).toBeNull();
    expect(statePathProblem('train.py', ['autolab.yaml'])).toBeNull();
  });
});
