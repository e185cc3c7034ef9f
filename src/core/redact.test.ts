import { describe, expect, it } from 'vitest';
import { cleanTrialText, redactSecrets } from './redact.ts';
import { terminalText } from './terminal-text.ts';

describe('redactSecrets', () => {
  it('removes provider keys, tokens and private keys by their shape', () => {
    const cases: [string, string][] = [
      ['OpenAI sk-proj-abcdefghijklmnopqrstuvwx end', 'api key'],
      ['sk-ant-api03-abcdefghijklmnop', 'anthropic key'],
      ['token ghp_abcdefghijklmnopqrstuvwxyz0123456789', 'github token'],
      ['AKIAABCDEFGHIJKLMNOP', 'aws access key'],
      ['hf_abcdefghijklmnopqrstuvwxyzABCDEFGH', 'hugging face token'],
      ['xoxb-123456789012-abcdefghij', 'slack token'],
      ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abcdefghijklmnop', 'jwt'],
      ['-----BEGIN OPENSSH PRIVATE KEY-----\nAAAAB3NzaC1yc2E\n-----END OPENSSH PRIVATE KEY-----', 'private key'],
    ];
    for (const [text, kind] of cases) {
      const redacted = redactSecrets(text);
      expect(redacted, text).toContain(`[redacted ${kind}]`);
      expect(redacted).not.toMatch(/abcdefghijklmnop|AAAAB3|ABCDEFGHIJKLMNOP/);
    }
  });

  it('removes the values of key-like assignments and passwords in URLs, keeping the names', () => {
    expect(redactSecrets('AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG')).toBe('AWS_SECRET_ACCESS_KEY=[redacted]');
    expect(redactSecrets('"api_key": "0123456789abcdef"')).toBe('"api_key": "[redacted]"');
    expect(redactSecrets('Authorization: Bearer abc.def.ghi-123')).toBe('Authorization: Bearer [redacted]');
    expect(redactSecrets('postgres://autolab:hunter22@db:5432/x')).toBe('postgres://autolab:[redacted]@db:5432/x');
  });

  it('leaves ordinary output alone', () => {
    const text = 'step 100 loss 2.31 lr=0.001 max_tokens=1000000 tokens=4096\nTraceback (most recent call last):\n  File "train.py", line 3\nKeyError: \'token\'';
    expect(redactSecrets(text)).toBe(text);
  });
});

describe('terminalText', () => {
  it('removes escape sequences and turns a bare carriage return into a line break', () => {
    const fake = 'trial #3 crash\r\u001b[2K\u001b[32mtrial #3 kept\u001b[0m\u001b]0;title\u0007\u0008';
    expect(terminalText(fake)).toBe('trial #3 crash\ntrial #3 kept');
  });

  it('keeps tabs, newlines and unicode text', () => {
    expect(terminalText('a\tb\nc é 漢')).toBe('a\tb\nc é 漢');
  });

  it('cleanTrialText does both', () => {
    expect(cleanTrialText('\u001b[1Akey sk-abcdefghijklmnopqrstu')).toBe('key [redacted api key]');
  });
});
