import { describe, expect, it } from 'vitest';
import { TypedEmitter, trialFinishedEvent, type StudyEventMap } from '../core/events.ts';
import { makeTrial } from '../testing/trial-fixture.ts';
import { ProgressDisplay } from './progress.ts';

const OUTPUT = [
  'vocab: abcdefghijklmnopqrstuvwxyz (26 symbols)',
  'dataset split: 900 train / 100 val',
  'Traceback (most recent call last):',
  '  File "/r/.autolab/worktrees/heads+3/model.py", line 66, in __init__',
  '    assert d_model % n_heads == 0',
  'AssertionError',
].join('\n');

function display(): { events: TypedEmitter<StudyEventMap>; lines: string[]; progress: ProgressDisplay } {
  const events = new TypedEmitter<StudyEventMap>();
  const lines: string[] = [];
  const stream = { write: (text: string) => void lines.push(...text.split('\n').filter((line) => line !== '')) } as unknown as NodeJS.WriteStream;
  const progress = new ProgressDisplay(events, { stream, objective: { metric: 'loss', direction: 'minimize' }, target: 5, priorTrials: 0, baselineScore: () => 2, color: false, live: false });
  return { events, lines, progress };
}

describe('the progress line of a finished trial', () => {
  it("names a failure's cause (its signature's summary), never the first lines the run printed", () => {
    const { events, lines, progress } = display();
    const crashed = makeTrial({ id: 3, status: 'failed', label: 'crash', labelDetail: `exited with code 1\n${OUTPUT}`, logExcerpt: OUTPUT });
    events.emit('trial.finished', trialFinishedEvent(crashed));
    progress.stop();
    expect(lines[0]).toMatch(/^trial #3 \[tuner\] crash AssertionError at model\.py:66 assert d_model % n_heads == 0 /);
    expect(lines.join('\n')).not.toContain('vocab');
  });

  it('shows a stored summary as recorded, and a score with its delta', () => {
    const { events, lines, progress } = display();
    const failure = { signature: 'gate_miss accuracy >= 0.96', summary: 'gate_miss accuracy = 0.9, gate >= 0.96 (missed by 0.06, 6.3%)', frame: null };
    events.emit('trial.finished', trialFinishedEvent(makeTrial({ id: 4, status: 'failed', label: 'gate_miss', labelDetail: 'x', failure })));
    events.emit('trial.finished', trialFinishedEvent(makeTrial({ id: 5, status: 'discarded', score: 2.5 })));
    progress.stop();
    expect(lines[0]).toMatch(/^trial #4 \[tuner\] gate_miss accuracy = 0\.9, gate >= 0\.96 \(missed by 0\.06, 6\.3%\) /);
    expect(lines[1]).toMatch(/^trial #5 \[tuner\] discarded loss=2\.5 \(\+0\.5 vs baseline\) /);
  });
});
