import { describe, expect, it } from 'vitest';
import { TailBuffer, truncationNote, utf8Tail } from './output-tail.ts';

describe('TailBuffer', () => {
  it('keeps everything below its capacity', () => {
    const tail = new TailBuffer(16);
    tail.push(Buffer.from('abc'));
    tail.push(Buffer.from('def'));
    expect(tail.text()).toBe('abcdef');
  });

  it('keeps exactly the last bytes across many small and one large chunk', () => {
    const tail = new TailBuffer(10);
    for (let i = 0; i < 100; i += 1) tail.push(Buffer.from(`${i % 10}`));
    expect(tail.text()).toBe('0123456789');
    tail.push(Buffer.from('x'.repeat(50) + 'END'));
    expect(tail.text()).toBe('xxxxxxxEND');
    tail.push(Buffer.from('!'));
    expect(tail.text()).toBe('xxxxxxEND!');
  });

  it('never starts in the middle of a UTF-8 character', () => {
    const tail = new TailBuffer(4);
    tail.push(Buffer.from('aé€')); // 1 + 2 + 3 bytes: the window starts inside 'é'
    expect(tail.buffer().length).toBe(4);
    expect(tail.text()).toBe('€');
  });

  it('is empty with capacity 0', () => {
    const tail = new TailBuffer(0);
    tail.push(Buffer.from('abc'));
    expect(tail.text()).toBe('');
  });
});

describe('utf8Tail and truncationNote', () => {
  it('cuts from the end without starting inside a character', () => {
    expect(utf8Tail(Buffer.from('aé€'), 4)).toBe('€');
    expect(utf8Tail(Buffer.from('abc'), 10)).toBe('abc');
    expect(utf8Tail(Buffer.from('abc'), 0)).toBe('');
  });

  it('puts the note on a line of its own', () => {
    expect(truncationNote(10, 11, 0x62)).toBe('\n[autolab: output truncated after 10 bytes; 11 bytes dropped]\n');
    expect(truncationNote(10, 11, 0x0a)).toBe('[autolab: output truncated after 10 bytes; 11 bytes dropped]\n');
  });
});
