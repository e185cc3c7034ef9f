import { describe, expect, it } from 'vitest';
import { currentGpuDeviceNodes, gpuDeviceNodes } from './sandbox-bwrap.ts';

describe('currentGpuDeviceNodes', () => {
  it('is what gpuDeviceNodes reads, kept for 5 s and read again after', () => {
    const first = currentGpuDeviceNodes(1_000_000);
    expect(first).toEqual(gpuDeviceNodes());
    expect(currentGpuDeviceNodes(1_004_000)).toBe(first);
    const later = currentGpuDeviceNodes(1_006_000);
    expect(later).not.toBe(first);
    expect(later).toEqual(gpuDeviceNodes());
  });

  it('reads /dev again when the clock is behind the last read (another clock origin)', () => {
    const first = currentGpuDeviceNodes(2_000_000);
    expect(currentGpuDeviceNodes(1_000)).not.toBe(first);
  });
});
