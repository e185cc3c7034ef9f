import { describe, expect, it } from 'vitest';
import { describeIllegalLineage, illegalInLineage } from './lineage-legality.ts';

const trial = (id: number, parent: number | null, label: string | null = null, labelDetail: string | null = null) => ({ id, parent, label, labelDetail }) as never;

describe('illegalInLineage', () => {
  const trials = [trial(0, null), trial(1, 0), trial(2, 1, 'illegal_edit', 'score.js: protected path'), trial(3, 2), trial(4, 3, 'crash'), trial(5, 1)];

  it('finds the nearest illegal edit on the parent chain, the trial itself included', () => {
    expect(illegalInLineage(4, trials)).toMatchObject({ id: 2 });
    expect(illegalInLineage(2, trials)).toMatchObject({ id: 2 });
    expect(illegalInLineage(5, trials)).toBeNull();
    expect(illegalInLineage(0, trials)).toBeNull();
    expect(illegalInLineage(null, trials)).toBeNull();
  });

  it('ends on a missing parent or a cycle', () => {
    expect(illegalInLineage(9, trials)).toBeNull();
    expect(illegalInLineage(1, [trial(1, 2), trial(2, 1)])).toBeNull();
  });

  it('describes the refusal', () => {
    expect(describeIllegalLineage(4, illegalInLineage(4, trials)!)).toBe('trial #4 builds on trial #2, an illegal edit (score.js: protected path): no trial may build on it, and it cannot be exported');
    expect(describeIllegalLineage(2, illegalInLineage(2, trials)!)).toMatch(/^trial #2 is an illegal edit/);
  });
});
