/**
 * The knob values noted by many trials, held compactly: each trial's values as one row of
 * a chunked typed-array pool (8 bytes a value, 1 byte its kind), its names as one of a few shared
 * shapes (the names in their order), strings and booleans as indices into one table of
 * distinct values. A lineage index holds the values of every scored trial of a study
 * (the failure blocks' nearest passes read them all): objects took ~170 bytes a trial,
 * this takes ~60 for six knobs. Reads give back what `knobValuesInNotes` gave, names in
 * the same order, so a distance sums in the same order to the same bits. Pure: no I/O.
 */
import { ChunkedArray } from './chunked-array.ts';
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
  private readonly rowOf = new ChunkedArray((n) => new Int32Array(n));
  /** Per row: its shape and where its values start in the pool. */
  private readonly rowShape = new ChunkedArray((n) => new Int32Array(n));
  private readonly rowStart = new ChunkedArray((n) => new Int32Array(n));
  private rows = 0;
  private readonly values = new ChunkedArray((n) => new Float64Array(n));
  private readonly kinds = new ChunkedArray((n) => new Uint8Array(n));
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
    if (row === undefined || this.rowShape.get(row) !== shape) {
      row = this.rows++;
      this.rowShape.set(row, shape);
      this.rowStart.set(row, this.used);
      this.used += names.length;
    }
    const start = this.rowStart.get(row);
    names.forEach((name, k) => this.put(start + k, values[name]!));
    this.rowOf.set(id, row + 1);
    this.count++;
  }

  /** The values of trial `id` as `knobValuesInNotes` gave them (a fresh object), else undefined. */
  get(id: number): NotedKnobValues | undefined {
    const row = this.row(id);
    if (row < 0) return undefined;
    const { names } = this.shapes[this.rowShape.get(row)]!;
    const start = this.rowStart.get(row);
    const values: NotedKnobValues = {};
    names.forEach((name, k) => (values[name] = this.value(start + k)));
    return values;
  }

  delete(id: number): void {
    const row = this.row(id);
    if (row < 0) return;
    this.rowOf.set(id, 0);
    this.freed.set(id, row);
    this.count--;
  }

  /** `knobDistance(a, this.get(id)!)` (lineage-failures.ts), summed in the same order, without building the object. */
  distance(a: NotedKnobValues, id: number): number {
    const row = this.row(id);
    if (row < 0) throw new RangeError(`trial #${id} has no knob values`);
    const shape = this.shapes[this.rowShape.get(row)]!;
    const start = this.rowStart.get(row);
    let distance = 0;
    for (const name in a) {
      const at = shape.at.get(name);
      distance += knobGap(a[name], at === undefined ? undefined : this.value(start + at));
    }
    for (let k = 0; k < shape.names.length; k++) if (!Object.hasOwn(a, shape.names[k]!)) distance += knobGap(undefined, this.value(start + k));
    return distance;
  }

  private row(id: number): number {
    return id >= 0 ? this.rowOf.get(id) - 1 : -1;
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
      this.kinds.set(at, NUMBER);
      this.values.set(at, value);
      return;
    }
    let index = this.otherIndex.get(value);
    if (index === undefined) this.otherIndex.set(value, (index = this.others.push(value) - 1));
    this.kinds.set(at, OTHER);
    this.values.set(at, index);
  }

  private value(at: number): KnobValue {
    return this.kinds.get(at) === NUMBER ? this.values.get(at) : this.others[this.values.get(at)]!;
  }
}
