/** Seeded randomness for the fuzz tests, so that a failing input replays from its round number. */

import { seededRandom } from '../../src/core/random.ts';

export { seededRandom };

export interface Picker {
  random: () => number;
  /** A whole number in [0, n). */
  int(n: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

export function picker(seed: number): Picker {
  const random = seededRandom(seed);
  return {
    random,
    int: (n) => Math.floor(random() * n),
    pick: (items) => items[Math.floor(random() * items.length)]!,
    chance: (p) => random() < p,
  };
}

/** Byte-level damage of a text: truncation, insertion of odd bytes, deletion, duplication, a flipped byte. */
export function damageText(text: string, p: Picker): string {
  const at = p.int(text.length + 1);
  switch (p.int(6)) {
    case 0:
      return text.slice(0, at);
    case 1:
      return text.slice(0, at) + p.pick(['\u0000', '\uFFFD', '\uD800', '\u202E', '\t', '\r', '\n', '"', '\\', '{', '}', '[', ']', ':', ',', '\u00A0', '\uFEFF']) + text.slice(at);
    case 2:
      return text.slice(0, at) + text.slice(at + 1 + p.int(8));
    case 3:
      return text.slice(0, at) + text.slice(at, at + 20) + text.slice(at);
    case 4: {
      const code = text.charCodeAt(at) || 32;
      return text.slice(0, at) + String.fromCharCode(code ^ (1 << p.int(7))) + text.slice(at + 1);
    }
    default:
      return text.slice(0, at) + 'x'.repeat(1 + p.int(3000)) + text.slice(at);
  }
}
