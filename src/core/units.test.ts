import { describe, expect, it } from 'vitest';
import { parseDurationMs, parseSizeBytes } from './units.ts';

describe('parseDurationMs', () => {
  it.each([
    ['90s', 90_000],
    ['10m', 600_000],
    ['1h', 3_600_000],
    ['1.5h', 5_400_000],
    ['500ms', 500],
    ['1h30m', 5_400_000],
    ['45', 45_000],
    [' 2 m ', 120_000],
    [90, 90_000],
    [0.25, 250],
  ] as const)('%s -> %d ms', (input, expected) => {
    expect(parseDurationMs(input)).toBe(expected);
  });

  it.each(['', '10x', 'm', '0s', '-5s', '1.5.2h', 'ten minutes', '10 mins'])('rejects %j', (input) => {
    expect(parseDurationMs(input)).toBeUndefined();
  });

  it('rejects non-positive and non-finite numbers', () => {
    expect(parseDurationMs(0)).toBeUndefined();
    expect(parseDurationMs(-1)).toBeUndefined();
    expect(parseDurationMs(Infinity)).toBeUndefined();
  });
});

describe('parseSizeBytes', () => {
  it.each([
    ['10MB', 10_000_000],
    ['512KiB', 524_288],
    ['1GB', 1_000_000_000],
    ['1gib', 1_073_741_824],
    ['2 MiB', 2_097_152],
    ['100B', 100],
    ['65536', 65_536],
    ['1.5KB', 1500],
    [4096, 4096],
  ] as const)('%s -> %d bytes', (input, expected) => {
    expect(parseSizeBytes(input)).toBe(expected);
  });

  it.each(['', '10XB', 'MB', '0', '0MB', '-1MB', '1e6', '10 M'])('rejects %j', (input) => {
    expect(parseSizeBytes(input)).toBeUndefined();
  });
});
