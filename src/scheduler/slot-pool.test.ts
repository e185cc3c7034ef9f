import { describe, expect, it } from 'vitest';
import { AutolabError } from '../core/errors.ts';
import { SlotPool } from './slot-pool.ts';

describe('SlotPool', () => {
  it('hands out distinct slots with their GPUs up to its size', async () => {
    const pool = new SlotPool(3, ['0', '1']);
    const slots = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
    expect(slots.map((slot) => [slot.index, slot.gpu])).toEqual([
      [0, '0'],
      [1, '1'],
      [2, '0'],
    ]);
    expect(pool.inUse).toBe(3);
    expect(pool.size).toBe(3);
  });

  it('gives null GPUs without a GPU list', async () => {
    const pool = new SlotPool(1, []);
    expect((await pool.acquire()).gpu).toBeNull();
  });

  it('makes waiters wait, serves them first come first served, and reuses the freed index', async () => {
    const pool = new SlotPool(2, ['a', 'b']);
    const first = await pool.acquire();
    const second = await pool.acquire();
    const order: string[] = [];
    const third = pool.acquire().then((slot) => {
      order.push('third');
      return slot;
    });
    const fourth = pool.acquire().then((slot) => {
      order.push('fourth');
      return slot;
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(order).toEqual([]);
    expect(pool.waiting).toBe(2);

    second.release();
    const thirdSlot = await third;
    expect(thirdSlot.index).toBe(1);
    expect(thirdSlot.gpu).toBe('b');
    expect(order).toEqual(['third']);
    expect(pool.inUse).toBe(2);

    first.release();
    const fourthSlot = await fourth;
    expect(fourthSlot.index).toBe(0);
    expect(order).toEqual(['third', 'fourth']);
  });

  it('ignores a second release of the same slot', async () => {
    const pool = new SlotPool(1, []);
    const slot = await pool.acquire();
    slot.release();
    slot.release();
    expect(pool.inUse).toBe(0);
    const again = await pool.acquire();
    const waiting = pool.acquire();
    slot.release(); // stale handle: must not free the slot now held by `again`
    const raced = await Promise.race([waiting.then(() => 'acquired'), new Promise((r) => setTimeout(() => r('waiting'), 20))]);
    expect(raced).toBe('waiting');
    again.release();
    await expect(waiting).resolves.toMatchObject({ index: 0 });
  });

  it('rejects an aborted waiter and drops it from the queue', async () => {
    const pool = new SlotPool(1, []);
    const held = await pool.acquire();
    const controller = new AbortController();
    const aborted = pool.acquire(controller.signal);
    const next = pool.acquire();
    controller.abort(new Error('study stopped'));
    await expect(aborted).rejects.toThrow('study stopped');
    expect(pool.waiting).toBe(1);
    held.release();
    await expect(next).resolves.toMatchObject({ index: 0 });
    expect(pool.inUse).toBe(1);
  });

  it('rejects at once with an already aborted signal', async () => {
    const pool = new SlotPool(1, []);
    const controller = new AbortController();
    controller.abort(new Error('gone'));
    await expect(pool.acquire(controller.signal)).rejects.toThrow('gone');
    expect(pool.inUse).toBe(0);
  });

  it('refuses a pool without slots', () => {
    expect(() => new SlotPool(0, [])).toThrow(AutolabError);
    expect(() => new SlotPool(1.5, [])).toThrow(/whole number/);
  });

  it('holds several slots as one (a fidelity level on two GPUs): their GPUs joined, one release frees all', async () => {
    const pool = new SlotPool(3, ['0', '1', '2']);
    const pair = await pool.acquireMany(2);
    expect(pair).toMatchObject({ index: 0, gpu: '0,1' });
    expect(pool.inUse).toBe(2);
    pair.release();
    expect(pool.inUse).toBe(0);
    await expect(pool.acquireMany(4)).rejects.toThrow(/cannot hold 4 slots at once from a pool of 3/);
  });

  it('serves a several-slot waiter in turn: freed slots wait for it, later single waiters do not jump ahead', async () => {
    const pool = new SlotPool(2, ['0', '1']);
    const a = await pool.acquire();
    const order: string[] = [];
    const pair = pool.acquireMany(2).then((slot) => (order.push('pair'), slot));
    const single = pool.acquire().then((slot) => (order.push('single'), slot));
    expect(pool.waiting).toBe(2);
    expect(pool.tryAcquire()).toBeNull(); // the free slot is kept for the pair
    a.release();
    const held = await pair;
    expect(held.gpu).toBe('0,1');
    held.release();
    (await single).release();
    expect(order).toEqual(['pair', 'single']);
  });

  it('lets the waiters behind an aborted several-slot waiter go', async () => {
    const pool = new SlotPool(2, []);
    const a = await pool.acquire();
    const controller = new AbortController();
    const pair = pool.acquireMany(2, controller.signal);
    const single = pool.acquire();
    controller.abort(new Error('stopped'));
    await expect(pair).rejects.toThrow('stopped');
    await expect(single).resolves.toMatchObject({ index: 1, gpu: null });
    a.release();
  });
});
