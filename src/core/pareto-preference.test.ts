import { describe, expect, it } from 'vitest';
import { recommendFrontMember } from './pareto-preference.ts';
import type { Objective } from './task.ts';

const objectives: Objective[] = [{ metric: 'bpb', direction: 'minimize' }, { metric: 'accuracy', direction: 'maximize' }];
const front = [
  { id: 1, values: [1.0, 0.70] },
  { id: 2, values: [1.2, 0.90] },
  { id: 3, values: [1.5, 0.95] },
];

describe('recommendFrontMember', () => {
  it('balances normalised objectives by default', () => {
    expect(recommendFrontMember(objectives, front)?.id).toBe(2);
  });

  it('follows weights', () => {
    expect(recommendFrontMember(objectives, front, { weights: { bpb: 1 } })?.id).toBe(1);
    expect(recommendFrontMember(objectives, front, { weights: { accuracy: 1 } })?.id).toBe(3);
  });

  it('picks the member nearest a target', () => {
    expect(recommendFrontMember(objectives, front, { target: { bpb: 1.45, accuracy: 0.94 } })?.id).toBe(3);
    expect(recommendFrontMember(objectives, front, { target: { bpb: 1.05, accuracy: 0.75 } })?.id).toBe(1);
    // a partial target: only bpb counts, and the member that surpasses it most wins
    expect(recommendFrontMember(objectives, front, { target: { bpb: 1.25 } })?.id).toBe(1);
  });

  it('returns null for an empty front', () => {
    expect(recommendFrontMember(objectives, [])).toBeNull();
  });
});
