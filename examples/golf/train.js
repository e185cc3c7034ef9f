// The recipe of the golf example (editable by trials): trains a small character-level
// language model and writes it, quantized, to $AUTOLAB_ARTIFACTS/model.bin.
//
// Model (Bengio et al. 2003, in miniature): embed each of the last `context` characters
// into `embed` dimensions, concatenate, one hidden layer of `width` tanh units, softmax
// over the vocabulary. Hand-written backprop on Float64Arrays, AdamW, warmup then cosine
// decay. Hyperparameters come from config.json, and from the literals marked
// `// autolab: <name>` below (the knobs specialist rewrites those).
//
// What it prints about its own loss is for people only: autolab scores the artifact
// with score.js, on text this script never sees.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const width = 48; // autolab: width
const context = 4; // autolab: context

const config = JSON.parse(readFileSync(new URL('./config.json', import.meta.url), 'utf8'));
const { lr, batch, embed } = config;
// On a fidelity ladder (autolab.ladder.yaml) a level trains a fraction of the steps and of the time: GOLF_STEP_SCALE (default 1).
const stepScale = Number(process.env.GOLF_STEP_SCALE ?? 1) > 0 ? Number(process.env.GOLF_STEP_SCALE ?? 1) : 1;
const steps = Math.max(1, Math.round(config.steps * stepScale));
const weightDecay = config.weight_decay ?? 0;
const warmup = config.warmup ?? 0;
const bits = config.bits ?? 8;
const maxSeconds = (config.max_seconds ?? 40) * stepScale;
const logEvery = config.log_every ?? 500;
const seed = Number.parseInt(process.env.AUTOLAB_SEED ?? '0', 10) || 0;
const dataDir = process.env.AUTOLAB_DATA || join(tmpdir(), 'autolab-golf', 'data');
const artifactsDir = process.env.AUTOLAB_ARTIFACTS || join(tmpdir(), 'autolab-golf', 'artifacts');

// ---- data: the vocabulary is every byte of the training text, sorted ----

function readData(name) {
  try {
    return readFileSync(join(dataDir, name));
  } catch (error) {
    console.error(`train: cannot read ${join(dataDir, name)} (${error.code}); run prepare.js first`);
    process.exit(1);
  }
}
const trainText = readData('train.txt');
const valText = readData('val.txt');
const vocab = [...new Set(trainText)].sort((a, b) => a - b);
const V = vocab.length;
const indexOf = new Int32Array(256); // bytes outside the vocabulary map to index 0, as in score.js
for (let i = 0; i < V; i++) indexOf[vocab[i]] = i;
const encode = (bytes) => Int32Array.from(bytes, (byte) => indexOf[byte]);
const trainTokens = encode(trainText);
const valTokens = encode(valText.subarray(0, 2000));

// ---- parameters: one flat Float64Array, tensors are views into it ----

const C = context;
const E = embed;
const H = width;
const I = C * E;
const shapes = { emb: [V, E], w1: [I, H], b1: [H], w2: [H, V], b2: [V] };
let total = 0;
const offsets = {};
for (const [name, shape] of Object.entries(shapes)) {
  offsets[name] = total;
  total += shape.reduce((a, b) => a * b, 1);
}
const params = new Float64Array(total);
const grads = new Float64Array(total);
const adamM = new Float64Array(total);
const adamV = new Float64Array(total);
const view = (array, name) => array.subarray(offsets[name], offsets[name] + shapes[name].reduce((a, b) => a * b, 1));
const [emb, w1, b1, w2, b2] = ['emb', 'w1', 'b1', 'w2', 'b2'].map((n) => view(params, n));
const [gEmb, gW1, gB1, gW2, gB2] = ['emb', 'w1', 'b1', 'w2', 'b2'].map((n) => view(grads, n));

/** mulberry32, seeded by $AUTOLAB_SEED: the only source of randomness. */
let rngState = (seed * 2654435761 + 12345) >>> 0;
function random() {
  rngState = (rngState + 0x6d2b79f5) >>> 0;
  let t = rngState;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
function gaussian() {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}
for (let i = 0; i < emb.length; i++) emb[i] = gaussian();
for (let i = 0; i < w1.length; i++) w1[i] = gaussian() / Math.sqrt(I);
for (let i = 0; i < w2.length; i++) w2[i] = (0.1 * gaussian()) / Math.sqrt(H);

// ---- forward / backward for one example, accumulating gradients ----

const x = new Float64Array(I);
const hidden = new Float64Array(H);
const probs = new Float64Array(V);
const dHidden = new Float64Array(H);
const dX = new Float64Array(I);
const ctx = new Int32Array(C);

function gatherContext(tokens, position) {
  for (let c = 0; c < C; c++) {
    const p = position - C + c;
    ctx[c] = p >= 0 ? tokens[p] : 0;
  }
  for (let c = 0; c < C; c++) {
    const base = ctx[c] * E;
    for (let e = 0; e < E; e++) x[c * E + e] = emb[base + e];
  }
}

/** Forward pass into `hidden` and `probs`; returns -ln p(target). */
function forward(target) {
  hidden.set(b1);
  for (let i = 0; i < I; i++) {
    const xi = x[i];
    const row = i * H;
    for (let h = 0; h < H; h++) hidden[h] += xi * w1[row + h];
  }
  for (let h = 0; h < H; h++) hidden[h] = Math.tanh(hidden[h]);
  probs.set(b2);
  for (let h = 0; h < H; h++) {
    const hv = hidden[h];
    const row = h * V;
    for (let v = 0; v < V; v++) probs[v] += hv * w2[row + v];
  }
  let max = -Infinity;
  for (let v = 0; v < V; v++) if (probs[v] > max) max = probs[v];
  let sum = 0;
  for (let v = 0; v < V; v++) {
    probs[v] = Math.exp(probs[v] - max);
    sum += probs[v];
  }
  for (let v = 0; v < V; v++) probs[v] /= sum;
  return -Math.log(Math.max(probs[target], 1e-30));
}

function backward(target, scale) {
  probs[target] -= 1;
  for (let v = 0; v < V; v++) {
    probs[v] *= scale;
    gB2[v] += probs[v];
  }
  for (let h = 0; h < H; h++) {
    const hv = hidden[h];
    const row = h * V;
    let acc = 0;
    for (let v = 0; v < V; v++) {
      gW2[row + v] += hv * probs[v];
      acc += w2[row + v] * probs[v];
    }
    dHidden[h] = acc * (1 - hv * hv);
    gB1[h] += dHidden[h];
  }
  for (let i = 0; i < I; i++) {
    const xi = x[i];
    const row = i * H;
    let acc = 0;
    for (let h = 0; h < H; h++) {
      gW1[row + h] += xi * dHidden[h];
      acc += w1[row + h] * dHidden[h];
    }
    dX[i] = acc;
  }
  for (let c = 0; c < C; c++) {
    const base = ctx[c] * E;
    for (let e = 0; e < E; e++) gEmb[base + e] += dX[c * E + e];
  }
}

/** AdamW step; weight decay on matrices only (not on the biases). */
const decays = new Uint8Array(total);
for (const name of ['emb', 'w1', 'w2']) view(decays, name).fill(1);
function adamStep(step, rate) {
  const beta1 = 0.9;
  const beta2 = 0.999;
  const correction1 = 1 - Math.pow(beta1, step);
  const correction2 = 1 - Math.pow(beta2, step);
  for (let i = 0; i < total; i++) {
    const g = grads[i];
    adamM[i] = beta1 * adamM[i] + (1 - beta1) * g;
    adamV[i] = beta2 * adamV[i] + (1 - beta2) * g * g;
    const update = adamM[i] / correction1 / (Math.sqrt(adamV[i] / correction2) + 1e-8);
    params[i] -= rate * (update + (decays[i] ? weightDecay * params[i] : 0));
  }
}

/**
 * Linear warmup, then cosine decay to 10% of `lr`. Progress is whichever budget is more
 * used up, steps or seconds, so a run stopped by `max_seconds` still ends annealed.
 */
function learningRate(step, progress) {
  if (step <= warmup) return (lr * step) / Math.max(1, warmup);
  return lr * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, progress))));
}

function valBitsPerByte() {
  let nats = 0;
  for (let p = 0; p < valTokens.length; p++) {
    gatherContext(valTokens, p);
    nats += forward(valTokens[p]);
  }
  return nats / valTokens.length / Math.LN2;
}

// ---- checkpoints: a continued fidelity ladder (autolab.ladder.yaml, `continue: true`) ----
// A level below the full one (GOLF_CHECKPOINT=1) also writes checkpoint.bin: the step reached,
// the random state, the weights and AdamW's moments. A promoted level is handed the level
// below's artifacts as $AUTOLAB_RESUME_FROM (read-only) and resumes there, training only the
// remaining steps, if the checkpoint is of this very model and settings; otherwise it starts over.

const checkpointKey = JSON.stringify({ V, C, E, H, lr, batch, weightDecay, warmup, bits, steps: config.steps, seed });

function writeCheckpoint(step) {
  const header = Buffer.from(JSON.stringify({ format: 'golf-checkpoint-v1', key: checkpointKey, step, rngState }));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.length);
  const arrays = [params, adamM, adamV].map((array) => Buffer.from(array.buffer, array.byteOffset, array.byteLength));
  writeFileSync(join(artifactsDir, 'checkpoint.bin'), Buffer.concat([length, header, ...arrays]));
}

/** The step the checkpoint in $AUTOLAB_RESUME_FROM reached (its state loaded), or 0 to start over. */
function resumeFromCheckpoint() {
  const dir = process.env.AUTOLAB_RESUME_FROM;
  if (!dir) return 0;
  let bytes;
  try {
    bytes = readFileSync(join(dir, 'checkpoint.bin'));
  } catch {
    console.log(`train: no checkpoint in ${dir}; starting over`);
    return 0;
  }
  const headerLength = bytes.readUInt32LE(0);
  const header = JSON.parse(bytes.subarray(4, 4 + headerLength).toString('utf8'));
  if (header.format !== 'golf-checkpoint-v1' || header.key !== checkpointKey || header.step > steps || bytes.length !== 4 + headerLength + 3 * total * 8) {
    console.log('train: the checkpoint is of another model or settings; starting over');
    return 0;
  }
  const body = bytes.subarray(4 + headerLength);
  [params, adamM, adamV].forEach((array, index) => array.set(new Float64Array(body.buffer.slice(body.byteOffset + index * total * 8, body.byteOffset + (index + 1) * total * 8))));
  rngState = header.rngState;
  console.log(`train: resumed from step ${header.step} (level ${process.env.AUTOLAB_RESUME_LEVEL ?? '?'}); training steps ${header.step + 1} to ${steps}`);
  return header.step;
}

// ---- training loop ----

console.log(`train: vocab ${V}, context ${C}, embed ${E}, width ${H}, ${total} parameters, seed ${seed}`);
const started = performance.now();
let runningLoss = 0;
let runningCount = 0;
let step = resumeFromCheckpoint();
let progress = step / steps;
while (progress < 1) {
  step += 1;
  grads.fill(0);
  for (let b = 0; b < batch; b++) {
    const position = 1 + Math.floor(random() * (trainTokens.length - 1));
    gatherContext(trainTokens, position);
    runningLoss += forward(trainTokens[position]);
    runningCount += 1;
    backward(trainTokens[position], 1 / batch);
  }
  adamStep(step, learningRate(step, progress));
  const seconds = (performance.now() - started) / 1000;
  progress = Math.max(step / steps, seconds / maxSeconds);
  if (step % logEvery === 0 || progress >= 1) {
    const trainBits = runningLoss / runningCount / Math.LN2;
    console.log(`step ${step}/${steps}  train_bpb ${trainBits.toFixed(3)}  val_bpb ${valBitsPerByte().toFixed(3)} (self-reported)  ${seconds.toFixed(1)}s`);
    runningLoss = 0;
    runningCount = 0;
  }
}
if (step < steps) console.log(`train: the time budget of ${maxSeconds}s ran out at step ${step} of ${steps}`);

// ---- quantize and write the artifact ----

/** Symmetric per-tensor quantization to `bits` (8 or 4); a non-finite tensor gets scale NaN (null in JSON). */
function quantize(values) {
  const levels = bits === 4 ? 7 : 127;
  let maxAbs = 0;
  let finite = true;
  for (const value of values) {
    if (!Number.isFinite(value)) finite = false;
    else if (Math.abs(value) > maxAbs) maxAbs = Math.abs(value);
  }
  const scale = finite ? (maxAbs > 0 ? maxAbs / levels : 1) : NaN;
  const q = Int8Array.from(values, (value) => (finite ? Math.round(value / scale) : 0));
  if (bits === 8) return { scale, bytes: new Uint8Array(q.buffer) };
  const packed = new Uint8Array(Math.ceil(q.length / 2));
  for (let i = 0; i < q.length; i++) packed[i >> 1] |= (q[i] + 8) << ((i & 1) * 4);
  return { scale, bytes: packed };
}

const tensors = [];
const chunks = [];
let offset = 0;
for (const name of Object.keys(shapes)) {
  const { scale, bytes } = quantize(view(params, name));
  tensors.push({ name, shape: shapes[name], dtype: bits === 4 ? 'int4' : 'int8', scale, offset, bytes: bytes.length });
  chunks.push(bytes);
  offset += bytes.length;
}
const header = Buffer.from(JSON.stringify({ format: 'golf-v1', vocab, context: C, embed: E, width: H, activation: 'tanh', tensors }));
const lengthField = Buffer.alloc(4);
lengthField.writeUInt32LE(header.length);
mkdirSync(artifactsDir, { recursive: true });
const artifact = Buffer.concat([Buffer.from('GOLF'), lengthField, header, ...chunks]);
writeFileSync(join(artifactsDir, 'model.bin'), artifact);
if (process.env.GOLF_CHECKPOINT === '1') writeCheckpoint(step);
console.log(`train: wrote ${artifact.length} bytes to ${join(artifactsDir, 'model.bin')} after ${((performance.now() - started) / 1000).toFixed(1)}s`);
