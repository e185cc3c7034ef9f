/**
 * A Specialist that proposes from a script: each `propose` takes the next turn (a
 * proposal, null for nothing to propose, an Error to throw, or a function of the
 * context). With `reports`, it keeps session reports as llm and command specialists do.
 */
import type { ProposalContext, SessionReport, Specialist } from '../core/specialist.ts';
import type { SpecialistSpec } from '../core/task.ts';
import type { Proposal } from '../core/trial.ts';

export type ScriptedTurn = Proposal | null | Error | ((context: ProposalContext) => Proposal | null | Promise<Proposal | null>);

/**
 * @example
 * const tuner = new ScriptedSpecialist('tuner', [patchProposal('tuner', 0, patch), null]);
 * await study.run({ specialists: [tuner], trials: 1 });
 * tuner.contexts[0]!.incumbent.id; // 0
 */
export class ScriptedSpecialist implements Specialist {
  readonly spec: SpecialistSpec;
  /** The contexts it was asked with, in order. */
  readonly contexts: ProposalContext[] = [];
  private readonly turns: ScriptedTurn[];
  private readonly reports: Array<SessionReport | null> | null;
  private report: SessionReport | null = null;

  constructor(name: string, turns: ScriptedTurn[], options: { surface?: string; reports?: Array<SessionReport | null> } = {}) {
    this.spec = { name, kind: 'command', surface: options.surface ?? 'recipe', options: {} };
    this.turns = [...turns];
    this.reports = options.reports ? [...options.reports] : null;
  }

  /** Turns not taken yet. */
  get remaining(): number {
    return this.turns.length;
  }

  async propose(context: ProposalContext): Promise<Proposal | null> {
    this.contexts.push(context);
    this.report = this.reports?.shift() ?? null;
    const turn = this.turns.shift();
    if (turn === undefined || turn === null) return null;
    if (turn instanceof Error) throw turn;
    return typeof turn === 'function' ? turn(context) : turn;
  }

  takeSessionReport(): SessionReport | null {
    const report = this.report;
    this.report = null;
    return report;
  }
}

/** A proposal of `specialist` that applies `patch` on top of trial `parent`. */
export function patchProposal(specialist: string, parent: number, patch: string, extra: Partial<Proposal> = {}): Proposal {
  return { specialist, parent, hypothesis: `${specialist}: try this`, edit: { kind: 'patch', patch }, ...extra };
}
