// The scorer of the golf example (evaluator-owned, protected). It trusts nothing a trial
// wrote except the artifact: it reads $AUTOLAB_ARTIFACTS/model.bin, rebuilds the model
// with its own forward pass (it never imports train.js), and measures
//
//   val_bpb         bits per byte on $AUTOLAB_HOLDOUT/holdout.txt (ASCII: bytes = chars)
//   artifact_bytes  total size of every file under $AUTOLAB_ARTIFACTS
//
// The last stdout line is the metrics JSON. A missing, corrupt or non-finite model exits
// non-zero with the reason on stderr.
//
// Every byte's probability is mixed with a uniform distribution over all 256 bytes:
// p = (1 - SMOOTHING) * p_model + SMOOTHING / 256. A byte outside the model's vocabulary
// thus costs about 18 bits, so a model cannot gain by dropping characters it finds hard.
// Context positions before the start of the text, and context bytes outside the
// vocabulary, use vocabulary index 0.
//
// Artifact format `golf-v1`: "GOLF", a little-endian uint32 N, N bytes of JSON header
// { format, vocab: [byte codes], context, embed, width, activation: "tanh" | "relu",
//   tensors: [{ name, shape, dtype: "int8" | "int4" | "float32", scale, offset, bytes }] },
// then the tensor data (offsets relative to its start). Tensors: emb [V, E],
// w1 [context * E, width], b1 [width], w2 [width, V], b2 [V]. A quantized value q stands
// for q * scale, where scale is one number per tensor or an array of one per row
// (shape[0] entries); int4 packs two values per byte, low nibble first, each as q + 8.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SMOOTHING = 1e-3;
const LIMITS = { context: 64, embed: 1024, width: 8192, firstLayerTable: 50_000_000 };

function fail(message) {
  console.error(`score: ${message}`);
  process.exit(1);
}

const artifactsDir = process.env.AUTOLAB_ARTIFACTS || join(tmpdir(), 'autolab-golf', 'artifacts');
const holdoutDir = process.env.AUTOLAB_HOLDOUT || join(tmpdir(), 'autolab-golf', 'holdout');

/** Total bytes of all regular files below `dir`, links not followed. */
function folderBytes(dir) {
  let bytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) bytes += folderBytes(path);
    else bytes += statSync(path, { throwIfNoEntry: false })?.size ?? 0;
  }
  return bytes;
}

function isInteger(value, low, high) {
  return Number.isInteger(value) && value >= low && value <= high;
}

/** Parses and checks model.bin; returns the dequantized tensors and the shape fields. */
function loadModel(path) {
  let file;
  try {
    file = readFileSync(path);
  } catch (error) {
    fail(`cannot read the artifact ${path} (${error.code ?? error.message}); train.js must write it`);
  }
  if (file.length < 8 || file.toString('latin1', 0, 4) !== 'GOLF') fail(`${path} is not a golf-v1 model (bad magic)`);
  const headerLength = file.readUInt32LE(4);
  if (8 + headerLength > file.length) fail(`${path} is truncated (header of ${headerLength} bytes)`);
  let header;
  try {
    header = JSON.parse(file.toString('utf8', 8, 8 + headerLength));
  } catch (error) {
    fail(`${path} has a corrupt header: ${error.message}`);
  }
  const data = file.subarray(8 + headerLength);
  const { vocab, context, embed, width, activation = 'tanh', tensors } = header ?? {};
  if (header?.format !== 'golf-v1') fail(`unsupported artifact format ${JSON.stringify(header?.format)}`);
  if (!Array.isArray(vocab) || vocab.length < 1 || vocab.length > 256 || !vocab.every((b) => isInteger(b, 0, 255)) || new Set(vocab).size !== vocab.length) {
    fail('the header vocab must be 1-256 distinct byte codes');
  }
  if (!isInteger(context, 1, LIMITS.context) || !isInteger(embed, 1, LIMITS.embed) || !isInteger(width, 1, LIMITS.width)) {
    fail(`context, embed and width must be integers within 1..${LIMITS.context}, 1..${LIMITS.embed}, 1..${LIMITS.width}`);
  }
  if (activation !== 'tanh' && activation !== 'relu') fail(`unknown activation ${JSON.stringify(activation)}`);
  if (context * vocab.length * width > LIMITS.firstLayerTable) fail('the model is too large to score (context * vocab * width)');
  const V = vocab.length;
  const expected = { emb: [V, embed], w1: [context * embed, width], b1: [width], w2: [width, V], b2: [V] };
  if (!Array.isArray(tensors)) fail('the header has no tensors list');
  const weights = {};
  for (const [name, shape] of Object.entries(expected)) {
    const tensor = tensors.find((t) => t?.name === name);
    if (!tensor) fail(`tensor ${name} is missing`);
    if (JSON.stringify(tensor.shape) !== JSON.stringify(shape)) fail(`tensor ${name} has shape ${JSON.stringify(tensor.shape)}, expected ${JSON.stringify(shape)}`);
    weights[name] = dequantize(tensor, shape, data);
  }
  return { vocab, context, embed, width, activation, ...weights };
}

function dequantize(tensor, shape, data) {
  const { name, dtype, scale, offset } = tensor;
  const rows = shape[0];
  const count = rows * (shape[1] ?? 1);
  const bytes = { int8: count, int4: Math.ceil(count / 2), float32: count * 4 }[dtype];
  if (bytes === undefined) fail(`tensor ${name} has unknown dtype ${JSON.stringify(dtype)}`);
  if (!isInteger(offset, 0, data.length) || offset + bytes > data.length) fail(`tensor ${name} lies outside the data (offset ${offset}, ${bytes} bytes)`);
  let scaleOf = () => 1;
  if (dtype !== 'float32') {
    // JSON has no NaN or Infinity: JSON.stringify writes them as null.
    const scales = Array.isArray(scale) ? scale : [scale];
    if (!scales.every((s) => s === null || typeof s === 'number')) fail(`tensor ${name} needs a scale: a number, or an array of ${rows} (one per row)`);
    if (!scales.every((s) => Number.isFinite(s))) fail(`model weights are not finite (tensor ${name} has scale ${JSON.stringify(scale)})`);
    if (scales.length !== 1 && scales.length !== rows) fail(`tensor ${name} has ${scales.length} scales, expected 1 or ${rows} (one per row)`);
    const perRow = count / rows;
    scaleOf = scales.length === 1 ? () => scales[0] : (i) => scales[Math.floor(i / perRow)];
  }
  const out = new Float64Array(count);
  if (dtype === 'int8') {
    for (let i = 0; i < count; i++) out[i] = data.readInt8(offset + i) * scaleOf(i);
  } else if (dtype === 'int4') {
    for (let i = 0; i < count; i++) out[i] = (((data[offset + (i >> 1)] >> ((i & 1) * 4)) & 15) - 8) * scaleOf(i);
  } else {
    for (let i = 0; i < count; i++) out[i] = data.readFloatLE(offset + 4 * i);
  }
  for (let i = 0; i < count; i++) if (!Number.isFinite(out[i])) fail(`model weights are not finite (tensor ${name})`);
  return out;
}

/** Bits per byte of `text` under the model, smoothed with the uniform byte distribution. */
function bitsPerByte(model, text) {
  const { vocab, context: C, embed: E, width: H, activation, emb, w1, b1, w2, b2 } = model;
  const V = vocab.length;
  const indexOf = new Int32Array(256).fill(-1);
  vocab.forEach((byte, i) => (indexOf[byte] = i));
  // First layer as a lookup table: table[c][v] = emb[v] @ w1[c*E .. c*E+E), shape [C, V, H].
  const table = new Float64Array(C * V * H);
  for (let c = 0; c < C; c++) {
    for (let v = 0; v < V; v++) {
      const out = (c * V + v) * H;
      for (let e = 0; e < E; e++) {
        const value = emb[v * E + e];
        const row = (c * E + e) * H;
        for (let h = 0; h < H; h++) table[out + h] += value * w1[row + h];
      }
    }
  }
  const hidden = new Float64Array(H);
  const logits = new Float64Array(V);
  let bits = 0;
  for (let p = 0; p < text.length; p++) {
    hidden.set(b1);
    for (let c = 0; c < C; c++) {
      const q = p - C + c;
      const v = q >= 0 ? Math.max(indexOf[text[q]], 0) : 0;
      const out = (c * V + v) * H;
      for (let h = 0; h < H; h++) hidden[h] += table[out + h];
    }
    for (let h = 0; h < H; h++) hidden[h] = activation === 'tanh' ? Math.tanh(hidden[h]) : Math.max(0, hidden[h]);
    logits.set(b2);
    for (let h = 0; h < H; h++) {
      const hv = hidden[h];
      if (hv === 0) continue;
      const row = h * V;
      for (let v = 0; v < V; v++) logits[v] += hv * w2[row + v];
    }
    let max = -Infinity;
    for (let v = 0; v < V; v++) if (logits[v] > max) max = logits[v];
    let sum = 0;
    for (let v = 0; v < V; v++) sum += Math.exp(logits[v] - max);
    const target = indexOf[text[p]];
    const pModel = target >= 0 ? Math.exp(logits[target] - max) / sum : 0;
    const probability = (1 - SMOOTHING) * pModel + SMOOTHING / 256;
    if (!(probability > 0)) fail('model weights are not finite (the forward pass produced NaN)');
    bits -= Math.log2(probability);
  }
  return bits / text.length;
}

let holdout;
try {
  holdout = readFileSync(join(holdoutDir, 'holdout.txt'));
} catch (error) {
  fail(`cannot read ${join(holdoutDir, 'holdout.txt')} (${error.code ?? error.message}); run prepare.js first`);
}
if (holdout.length === 0) fail('the holdout text is empty');
const model = loadModel(join(artifactsDir, 'model.bin'));
const valBpb = bitsPerByte(model, holdout);
const artifactBytes = folderBytes(artifactsDir);
console.log(`score: ${holdout.length} holdout bytes, vocab ${model.vocab.length}, context ${model.context}, embed ${model.embed}, width ${model.width}`);
console.log(JSON.stringify({ val_bpb: Number(valBpb.toFixed(5)), artifact_bytes: artifactBytes }));
