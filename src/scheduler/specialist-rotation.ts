import type { Specialist } from '../core/specialist.ts';

/**
 * Round-robin over specialists, skipping those that recently had nothing to offer or
 * failed, so that every free slot goes to someone with a proposal.
 */
export class SpecialistRotation {
  private cursor = 0;
  private readonly idleRounds = new Map<string, number>();

  constructor(private readonly specialists: readonly Specialist[]) {}

  get size(): number {
    return this.specialists.length;
  }

  /** The next specialist to ask, or null when there are none. */
  next(): Specialist | null {
    if (this.specialists.length === 0) return null;
    const specialist = this.specialists[this.cursor % this.specialists.length]!;
    this.cursor++;
    return specialist;
  }

  /** Records that a specialist had nothing (or failed); returns true when all are idle. */
  markIdle(name: string): boolean {
    this.idleRounds.set(name, (this.idleRounds.get(name) ?? 0) + 1);
    return this.specialists.every((specialist) => (this.idleRounds.get(specialist.spec.name) ?? 0) >= 3);
  }

  markProductive(name: string): void {
    this.idleRounds.set(name, 0);
  }
}
