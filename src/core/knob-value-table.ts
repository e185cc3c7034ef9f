/**
 * The knob values noted by many trials, held compactly: each trial's values as one row of
 * a typed-array pool (8 bytes a value, 1 byte its kind), its names as one of a few shared
 * shapes (the names in their order), strings and booleans as indices into one table of
 * distinct values. A lineage index holds the values of every scored trial of a study
 * (the failure blocks' nearest passes read them all): objects took ~170 bytes a trial,
 * this takes ~60 for six knobs. Reads give back what `knobValuesInNotes` gave, names in
 * the same order, so a distance sums in the same order to the same bits. Pure: no I/O.
 */
import { knobGap } from './knob-gap.ts';
import type { NotedKnobValues } from './trial-change.ts';

type KnobValue = NotedKnobValues[string];

/** The names of a row, in order, and where each one sits in it. */
interface Shape {
  names: string[];
  at: Map<string, number>;
}

const NUMBER = 0;
const OTHER = 1;

/** A typed array half as long again (at least `length`), with `from`'s contents. */
function grown<T extends Int32Array | Float64Array | Uint8Array>(from: T, length: number, make: (length: number) => T): T {
  if (length <= from.length) return from;
  const to = make(Math.max(length, Math.ceil(from.length * 1.5)));
  to.set(from);
  return to;
}

/**
 * @example
 * const knobs = new KnobValueTable();
 * knobs.set(7, { lr: 0.03, act: 'gelu' });
 * knobs.get(7); // { lr: 0.03, act: 'gelu' }
 * knobs.distance({ lr: 0.06, act: 'gelu' }, 7); // knobDistance({ lr: 0.06, act: 'gelu' }, knobs.get(7)!) = 0.5
 */
export class KnobValueTable {
  private readonly shapes: Shape[] = [];
  private readonly shapeByKey = new Map<string, number>();
  /** Distinct string and boolean values (a value of kind OTHER is an index here). */
  private readonly others: KnobValue[] = [];
  private readonly otherIndex = new Map<KnobValue, number>();
  /** Per trial id: its row + 1, 0 when it has none (ids are small, dense integers). */
  private rowOf = new Int32Array(256);
  /** Per row: its shape and where its values start in the pool. */
  private rowShape = new Int32Array(256);
  private rowStart = new Int32Array(256);
  private rows = 0;
  private values = new Float64Array(1024);
  private kinds = new Uint8Array(1024);
  private used = 0;
  /** Rows whose trial was deleted, by trial id: set again with the same shape, the row is reused. */
  private readonly freed = new Map<number, number>();
  private count = 0;

  /** Trials with values. */
  get size(): number {
    return this.count;
  }

  has(id: number): boolean {
    return this.row(id) >= 0;
  }

  /** Records trial `id`'s values (replacing any it had). */
  set(id: number, values: NotedKnobValues): void {
    if (!Number.isInteger(id) || id < 0 || id > 0x7ffffffe) throw new RangeError(`a trial id must be a non-negative integer, got ${id}`);
    this.delete(id);
    const names = Object.keys(values);
    const shape = this.shapeOf(names);
    let row = this.freed.get(id);
    this.freed.delete(id);
    if (row === undefined || this.rowShape[row] !== shape) {
      row = this.rows++;
      this.rowShape = grown(this.rowShape, this.rows, (n) => new Int32Array(n));
      this.rowStart = grown(this.rowStart, this.rows, (n) => new Int32Array(n));
      this.rowShape[row] = shape;
      this.rowStart[row] = this.used;
      this.used += names.length;
      this.values = grown(this.values, this.used, (n) => new Float64Array(n));
      this.kinds = grown(this.kinds, this.used, (n) => new Uint8Array(n));
    }
    const start = this.rowStart[row]!;
    names.forEach((name, k) => this.put(start + k, values[name]!));
    this.rowOf = grown(this.rowOf, id + 1, (n) => new Int32Array(n));
    this.rowOf[id] = row + 1;
    this.count++;
  }

  /** The values of trial `id` as `knobValuesInNotes` gave them (a fresh object), else undefined. */
  get(id: number): NotedKnobValues | undefined {
    const row = this.row(id);
    if (row < 0) return undefined;
    const { names } = this.shapes[this.rowShape[row]!]!;
    const start = this.rowStart[row]!;
    const values: NotedKnobValues = {};
    names.forEach((name, k) => (values[name] = this.value(start + k)));
    return values;
  }

  delete(id: number): void {
    const row = this.row(id);
    if (row < 0) return;
    this.rowOf[id] = 0;
    this.freed.set(id, row);
    this.count--;
  }

  /** `knobDistance(a, this.get(id)!)` (lineage-failures.ts), summed in the same order, without building the object. */
  distance(a: NotedKnobValues, id: number): number {
    const row = this.row(id);
    if (row < 0) throw new RangeError(`trial #${id} has no knob values`);
    const shape = this.shapes[this.rowShape[row]!]!;
    const start = this.rowStart[row]!;
    let distance = 0;
    for (const name in a) {
      const at = shape.at.get(name);
      distance += knobGap(a[name], at === undefined ? undefined : this.value(start + at));
    }
    for (let k = 0; k < shape.names.length; k++) if (!Object.hasOwn(a, shape.names[k]!)) distance += knobGap(undefined, this.value(start + k));
    return distance;
  }

  private row(id: number): number {
    return id >= 0 && id < this.rowOf.length ? this.rowOf[id]! - 1 : -1;
  }

  private shapeOf(names: string[]): number {
    const key = JSON.stringify(names);
    let shape = this.shapeByKey.get(key);
    if (shape === undefined) {
      shape = this.shapes.push({ names, at: new Map(names.map((name, k) => [name, k])) }) - 1;
      this.shapeByKey.set(key, shape);
    }
    return shape;
  }

  private put(at: number, value: KnobValue): void {
    if (typeof value === 'number') {
      this.kinds[at] = NUMBER;
      this.values[at] = value;
      return;
    }
    let index = this.otherIndex.get(value);
    if (index === undefined) this.otherIndex.set(value, (index = this.others.push(value) - 1));
    this.kinds[at] = OTHER;
    this.values[at] = index;
  }

  private value(at: number): KnobValue {
    return this.kinds[at] === NUMBER ? this.values[at]! : this.others[this.values[at]!]!;
  }
}
