/**
 * `npm run bench:parents -- --replay`: the decisions of bench:parents replayed in one
 * process, for many seeds and trials where the real study (a git workspace and two
 * evaluator processes per trial) is too slow. What is the same as the real bench: the
 * parent strategies (`chooseParent` from src/core/parent-strategy.ts, with the random
 * source the engine gives it, `seededRandom(seed * 1000003 + trials so far)`), the
 * scripted agent (bench/parents-agent.ts, called with the parent's program.json as the
 * engine's read_file returns it), the landscape (bench/parents-recipe/score.js and
 * prepare.js's basins), the figures (bench/parents-figures.ts), and the acceptance rule
 * (`better`: kept when strictly better than the incumbent). What is modelled: a program
 * identical to an earlier trial's fails as `duplicate` (the engine compares trees), and no
 * trial fails otherwise (the recipe cannot crash).
 */
import { chooseParent, parentNoteLine } from '../src/core/parent-strategy.ts';
import { seededRandom } from '../src/core/random.ts';
import type { ParentStrategySpec } from '../src/core/task.ts';
import type { TrialRecord } from '../src/core/trial.ts';
import { mulberry32 } from '../src/specialists/knobs/sampler-math.ts';
import type { RecordedRequest } from '../src/testing/loopback-llm/recorded-request.ts';
import { programSearchAgent } from './parents-agent.ts';
import { lineageFigures, type LineageFigures } from './parents-figures.ts';

/** prepare.js's basins: per coordinate a near basin (floor 0.5) and a far one (floor 0) behind a ridge. */
const BASINS = { near: 1, nearFloor: 0.5, far: -4, farWidth: 0.3 };

/** score.js's loss and descriptor of a program. */
export function scoreProgram(x: readonly number[]): { loss: number; x_mean: number } {
  const h = (v: number) => Math.min((v - BASINS.near) ** 2 + BASINS.nearFloor, BASINS.farWidth * (v - BASINS.far) ** 2);
  return { loss: x.reduce((sum, v) => sum + h(v), 0), x_mean: x.reduce((sum, v) => sum + v, 0) / x.length };
}

function trialRecord(id: number, parent: number | null, x: readonly number[] | null, status: TrialRecord['status'], notes: string): TrialRecord {
  const metrics = x === null ? null : scoreProgram(x);
  return { id, parent, status, notes, specialist: 'searcher', score: metrics === null ? null : metrics.loss, metrics: metrics ?? {}, label: x === null ? 'duplicate' : null } as unknown as TrialRecord;
}

const request = (content?: string) => ({ lastToolResults: content === undefined ? [] : [{ callId: 'c', content, isError: false }] }) as unknown as RecordedRequest;

/** The agent's next program from `x` (one session: read, edit, submit). */
async function agentStep(agent: ReturnType<typeof programSearchAgent>, x: readonly number[]): Promise<number[]> {
  await agent(request());
  const edit = (await agent(request(`1\t${JSON.stringify({ x })}`))) as { toolCalls: Array<{ input: { new_text: string } }> };
  await agent(request('edited program.json'));
  return (JSON.parse(edit.toolCalls[0]!.input.new_text) as { x: number[] }).x;
}

/** One replayed study of `count` trials under `spec` (the bench's study with `seed: seed`). */
export async function replayParentsStudy(spec: ParentStrategySpec, seed: number, count: number): Promise<LineageFigures> {
  const agent = programSearchAgent(mulberry32(1000 + seed));
  const programs = new Map<number, number[]>([[0, [0, 0, 0]]]);
  const trials: TrialRecord[] = [trialRecord(0, null, [0, 0, 0], 'kept', 'baseline')];
  let incumbent = trials[0]!;
  const objective = { metric: 'loss', direction: 'minimize' as const };
  for (let id = 1; id <= count; id += 1) {
    const choice = chooseParent(spec, { trials, incumbent, objective, specialist: 'searcher', random: seededRandom(seed * 1_000_003 + trials.length) });
    const x = await agentStep(agent, programs.get(choice.trial.id)!);
    const duplicate = [...programs.values()].some((other) => other.every((value, i) => value === x[i]));
    const notes = parentNoteLine(choice);
    if (duplicate) {
      trials.push(trialRecord(id, choice.trial.id, null, 'failed', notes));
      continue;
    }
    programs.set(id, x);
    const loss = scoreProgram(x).loss;
    const kept = loss < incumbent.score!;
    const trial = trialRecord(id, choice.trial.id, x, kept ? 'kept' : 'discarded', notes);
    trials.push(trial);
    if (kept) incumbent = trial;
  }
  return lineageFigures(trials, 'minimize');
}
