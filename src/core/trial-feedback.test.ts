import { describe, expect, it } from 'vitest';
import { capFeedbackText, feedbackMarkdown } from './trial-feedback.ts';

describe('trial feedback', () => {
  it('keeps short text whole and redacted, long text as its head and tail', () => {
    expect(capFeedbackText('loss 1.2\r\nkey sk-proj-abcdefghijklmnopqrstuvwx01', 1000)).toEqual({ text: expect.not.stringContaining('sk-proj-abcdefghijklmnop'), truncated: false });
    const long = capFeedbackText(`HEAD${'.'.repeat(5000)}TAIL`, 300);
    expect(long.truncated).toBe(true);
    expect(long.text.startsWith('HEAD')).toBe(true);
    expect(long.text.endsWith('TAIL')).toBe(true);
    expect(long.text).toContain('(4708 characters cut)');
    expect(long.text.length).toBeLessThan(360);
  });

  it('renders the profile, the files and what is missing, fenced so the text cannot end the block', () => {
    const text = feedbackMarkdown(4, {
      profile: { command: 'py-spy top', text: 'train.py:12 60%', truncated: false, exitCode: 0, timedOut: false, durationMs: 1234 },
      files: [{ path: 'notes.md', text: '```\ncode\n```', chars: 12, truncated: false }],
      missing: ['warnings.log'],
    });
    expect(text).toContain('### Trial #4: run feedback');
    expect(text).toContain('**profile** (`py-spy top`, exit 0, 1.2 s):\n```\ntrain.py:12 60%\n```');
    expect(text).toContain('**notes.md** (12 characters):\n~~~~\n```\ncode\n```\n~~~~');
    expect(text).toContain('Not left by the run: warnings.log.');
  });
});
