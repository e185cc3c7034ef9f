import { describe, expect, it } from 'vitest';
import type { Specialist } from '../core/specialist.ts';
import { makeTrial } from '../testing/trial-fixture.ts';
import { RoundRobinChooser } from './specialist-chooser.ts';

function specialist(name: string): Specialist {
  return { spec: { name, kind: 'knobs', surface: 's', options: {} }, propose: async () => null };
}

describe('RoundRobinChooser', () => {
  it('takes turns over the free specialists', () => {
    const all = ['a', 'b', 'c'].map(specialist);
    const chooser = new RoundRobinChooser(all);
    expect([chooser.next(all), chooser.next(all), chooser.next([all[0]!, all[2]!]), chooser.next(all)].map((s) => s!.spec.name)).toEqual(['a', 'b', 'c', 'a']);
  });

  it('does not ask an idle specialist again until a trial is recorded (no spinning on null proposals)', () => {
    const all = ['idle', 'busy'].map(specialist);
    const chooser = new RoundRobinChooser(all);
    expect(chooser.next(all)!.spec.name).toBe('idle');
    chooser.markIdle('idle');
    expect(chooser.next(all)!.spec.name).toBe('busy');
    expect(chooser.next([all[0]!])).toBeNull();
    chooser.record(makeTrial({ id: 1, specialist: 'busy' }));
    expect(chooser.next([all[0]!])!.spec.name).toBe('idle');
  });

  it('says stop when every specialist was idle three times in a row', () => {
    const all = ['a', 'b'].map(specialist);
    const chooser = new RoundRobinChooser(all);
    let stop = false;
    for (let round = 0; round < 3; round++) {
      for (const name of ['a', 'b']) {
        expect(chooser.next(all.filter((s) => s.spec.name === name))!.spec.name).toBe(name);
        stop = chooser.markIdle(name);
      }
      chooser.record(makeTrial({ id: round + 1 }));
    }
    expect(stop).toBe(true);
  });
});
