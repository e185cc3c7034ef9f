import { describe, expect, it } from 'vitest';
import { shrinkingGain } from './shrinking-gain.ts';

const options = { direction: 'minimize' as const, noise: 0.01, fullScale: 1, fullName: 'full' };

describe('shrinkingGain', () => {
  it('flags a gain that shrinks with the level beyond noise, and says it is likely gone at full', () => {
    const flagged = shrinkingGain(
      [
        { levelName: 's', scale: 0.1, trial: 2.9, parent: 3.0 },
        { levelName: 'm', scale: 0.3, trial: 2.49, parent: 2.5 },
      ],
      options,
    );
    expect(flagged?.message).toBe('gain +3.33% at s, +0.4% at m: likely gone at full');
    expect(flagged!.predictedFullAdvantage).toBeLessThan(0.01);
  });

  it('leaves a gain that holds, a gain within noise, and a single level alone', () => {
    expect(shrinkingGain([{ levelName: 's', scale: 0.1, trial: 2.9, parent: 3 }, { levelName: 'm', scale: 0.3, trial: 2.4, parent: 2.5 }], options)).toBeNull();
    expect(shrinkingGain([{ levelName: 's', scale: 0.1, trial: 2.995, parent: 3 }, { levelName: 'm', scale: 0.3, trial: 2.5, parent: 2.5 }], options)).toBeNull();
    expect(shrinkingGain([{ levelName: 's', scale: 0.1, trial: 2.5, parent: 3 }], options)).toBeNull();
  });

  it('follows the direction (maximize) and tells a gain still shrinking from one gone', () => {
    const flagged = shrinkingGain(
      [
        { levelName: 's', scale: 0.1, trial: 0.8, parent: 0.6 },
        { levelName: 'm', scale: 0.3, trial: 0.75, parent: 0.7 },
      ],
      { ...options, direction: 'maximize', noise: 0.005, fullScale: 0.35 },
    );
    expect(flagged?.message).toMatch(/^gain \+33\.33% at s, \+7\.14% at m: shrinking toward full$/);
  });
});
