/**
 * Failure signatures of real failures: every traceback here comes from running a small
 * python3 or node script in a real process (stdout and stderr through one pipe, as the
 * executor records them), classified by `classifyOutcome` as the evaluator does.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractFailureSignature, type FailureSignature } from './failure-signature.ts';
import { classifyOutcome, type TrialFacts } from './outcome.ts';
import { parseGate } from './gates.ts';
import type { FailureLabel } from './trial.ts';

let root = '';
const OOM = /MemoryError|out of memory|Cannot allocate memory|JavaScript heap out of memory/i;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'autolab-signature-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Writes files under a fresh recipe folder and returns its path. */
function recipe(name: string, files: Record<string, string>): string {
  const folder = join(root, name);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(folder, path)), { recursive: true });
    writeFileSync(join(folder, path), text);
  }
  return folder;
}

interface Failure {
  label: FailureLabel;
  detail: string;
  output: string;
}

/** Runs `command` in `cwd` through one pipe and classifies it as the evaluator would. */
function run(command: string, cwd: string, env: Record<string, string> = {}): Failure {
  const result = spawnSync('/bin/sh', ['-c', `exec 2>&1; ${command}`], { cwd, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
  const output = result.stdout ?? '';
  const tail = output.trimEnd().split('\n').slice(-20).join('\n');
  const failed = result.status !== 0;
  const facts: TrialFacts = {
    run: { exitCode: result.status, signal: result.signal, timedOut: false, aborted: false, spawnError: null, oomSuspected: failed && (OOM.test(output) || result.signal === 'SIGKILL' || result.status === 137), tail },
  };
  const outcome = classifyOutcome(facts, { metric: 'loss', direction: 'minimize' }, []);
  if (outcome.kind !== 'failed') throw new Error(`expected ${command} to fail, it scored`);
  return { label: outcome.label, detail: outcome.detail, output: output.trimEnd().split('\n').slice(-30).join('\n') };
}

function signatureOf(failure: Failure, folder: string, extra: Partial<Parameters<typeof extractFailureSignature>[0]> = {}): FailureSignature {
  return extractFailureSignature({ label: failure.label, detail: failure.detail, output: failure.output, recipe: { roots: [folder] }, ...extra });
}

const python = 'python3';

describe('Python tracebacks', () => {
  it('names an assertion by its exception, the recipe frame and its source line; equal causes group', () => {
    const folder = recipe('assert', {
      'model.py': 'class Attention:\n    def __init__(self, d_model, n_heads):\n        assert d_model % n_heads == 0\n        self.head_dim = d_model // n_heads\n\n\ndef build(cfg):\n    return Attention(cfg["d_model"], cfg["n_heads"])\n',
      'train.py': 'import json, sys\nfrom model import build\nprint("step 1 loss 2.3")\nbuild(json.loads(sys.argv[1]))\n',
    });
    const first = run(`${python} train.py '{"d_model": 100, "n_heads": 3}'`, folder);
    const second = run(`${python} train.py '{"d_model": 50, "n_heads": 7}'`, folder);
    expect(first.label).toBe('crash');
    const a = signatureOf(first, folder);
    const b = signatureOf(second, folder);
    expect(a.summary).toBe('crash AssertionError at model.py:3 assert d_model % n_heads == 0');
    expect(a.frame).toEqual({ file: 'model.py', line: 3, source: 'assert d_model % n_heads == 0' });
    expect(a.exception?.type).toBe('AssertionError');
    expect(a.signature).toBe(b.signature);
    expect(a.signature).not.toContain(folder);
  });

  it('abstracts numbers and paths in the message, so values that differ still group', () => {
    const folder = recipe('message', {
      'data.py': 'def load(n):\n    if n > 4:\n        raise ValueError(f"batch {n} too large for /data/shard_{n}.bin at 0x7f3a2b")\n',
      'train.py': 'import sys\nfrom data import load\nload(int(sys.argv[1]))\n',
    });
    const a = signatureOf(run(`${python} train.py 8`, folder), folder);
    const b = signatureOf(run(`${python} train.py 64`, folder), folder);
    expect(a.signature).toBe(b.signature);
    // Raised by the recipe's own line: the line is the cause, whatever the message says.
    expect(a.signature).toBe('crash ValueError at data.py: raise ValueError(f"batch {n} too large for <path> at <hex>")');
    expect(a.summary).toContain('ValueError: batch 8 too large');
    expect(a.summary).toContain('at data.py:3');
  });

  it('keeps the root cause of a chained exception (raise ... from e)', () => {
    const folder = recipe('chained', {
      'model.py': 'def check(d, h):\n    assert d % h == 0, f"d_model {d} not divisible by {h}"\n',
      'train.py': 'import sys\nfrom model import check\ntry:\n    check(int(sys.argv[1]), 3)\nexcept AssertionError as error:\n    raise RuntimeError("model build failed") from error\n',
    });
    const a = signatureOf(run(`${python} train.py 100`, folder), folder);
    expect(a.summary).toMatch(/^crash RuntimeError: model build failed at train\.py:6 \(from AssertionError: d_model 100 not divisible by 3 at model\.py:2\)$/);
    expect(a.signature).toBe('crash RuntimeError at train.py: raise RuntimeError("model build failed") from error <- AssertionError at model.py: assert d % h == <n>, f"d_model {d} not divisible by {h}"');
    expect(a.frame?.file).toBe('train.py');
  });

  it('reads "During handling of the above exception" chains', () => {
    const folder = recipe('during', { 'loop.py': 'def step():\n    try:\n        {}["layer_17"]\n    except KeyError:\n        return 1 / 0\nstep()\n' });
    const a = signatureOf(run(`${python} loop.py`, folder), folder);
    expect(a.exception?.type).toBe('ZeroDivisionError');
    expect(a.summary).toContain('ZeroDivisionError: division by zero at loop.py:5');
    expect(a.summary).toContain("from KeyError: 'layer_17' at loop.py:3");
    expect(a.signature).toContain('<- KeyError at loop.py: {}["layer_<n>"]');
  });

  it('locates a SyntaxError of the main script (no header) and of an imported module', () => {
    const folder = recipe('syntax', { 'broken.py': 'x = 1\ndef f(:\n    pass\n', 'main.py': 'import broken\n' });
    const direct = signatureOf(run(`${python} broken.py`, folder), folder);
    expect(direct.exception?.type).toBe('SyntaxError');
    expect(direct.frame).toEqual({ file: 'broken.py', line: 2, source: 'def f(:' });
    expect(direct.summary).toBe('crash SyntaxError: invalid syntax at broken.py:2');
    const imported = signatureOf(run(`${python} main.py`, folder), folder);
    expect(imported.frame).toEqual({ file: 'broken.py', line: 2, source: 'def f(:' });
    expect(imported.signature).toBe(direct.signature);
  });

  it('names KeyboardInterrupt, killed by SIGINT', () => {
    const folder = recipe('interrupt', { 'kb.py': 'import os, signal\nprint("epoch 1")\nos.kill(os.getpid(), signal.SIGINT)\n' });
    const failure = run(`${python} kb.py`, folder);
    const a = signatureOf(failure, folder);
    expect(a.exception?.type).toBe('KeyboardInterrupt');
    expect(a.summary).toContain('KeyboardInterrupt at kb.py:3 os.kill(os.getpid(), signal.SIGINT)');
  });

  it('names a run killed by a signal without a traceback, with its last output', () => {
    const folder = recipe('killed', { 'big.py': 'import os, signal, sys\nprint(f"step {sys.argv[1]} loss 2.1", flush=True)\nos.kill(os.getpid(), signal.SIGKILL)\n' });
    const a = signatureOf(run(`${python} big.py 10`, folder), folder);
    const b = signatureOf(run(`${python} big.py 20`, folder), folder);
    expect(a.signature).toMatch(/^(oom|crash) signal SIGKILL$/);
    expect(a.signature).toBe(b.signature);
    expect(a.summary).toMatch(/SIGKILL.*last output: step 10 loss 2\.1/);
    // A shell in between reports the signal as exit code 137.
    const shell = signatureOf(run(`sh -c '${python} big.py 30; exit $?'`, folder), folder);
    expect(shell.signature).toBe(a.signature);
  });

  it('reads a faulthandler dump of a segmentation fault', () => {
    const folder = recipe('segv', { 'native.py': 'import ctypes, faulthandler\nfaulthandler.enable()\ndef read():\n    return ctypes.string_at(0)\nread()\n' });
    const a = signatureOf(run(`${python} native.py`, folder), folder);
    expect(a.summary).toMatch(/^crash Fatal Python error: Segmentation fault at native\.py:4/);
    expect(a.frame).toMatchObject({ file: 'native.py', line: 4 });
  });

  it('labels MemoryError oom and abstracts the size', () => {
    const folder = recipe('memory', { 'alloc.py': 'import resource, sys\nresource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))\nbuffer = bytearray(int(sys.argv[1]) * (1 << 20))\n' });
    const failure = run(`${python} alloc.py 2048`, folder);
    expect(failure.label).toBe('oom');
    const a = signatureOf(failure, folder);
    expect(a.summary).toBe('oom MemoryError at alloc.py:3 buffer = bytearray(int(sys.argv[1]) * (1 << 20))');
    expect(a.signature).toBe(signatureOf(run(`${python} alloc.py 4096`, folder), folder).signature);
  });

  it('reads a CUDA out-of-memory error raised inside a library, at the recipe frame that called it', () => {
    const folder = recipe('cuda', {
      'venv/lib/python3.11/site-packages/torch/__init__.py': 'from . import cuda\n',
      'venv/lib/python3.11/site-packages/torch/cuda/__init__.py':
        'class OutOfMemoryError(RuntimeError):\n    pass\n\ndef empty(gib):\n    raise OutOfMemoryError(f"CUDA out of memory. Tried to allocate {gib:.2f} GiB (GPU 0; 15.78 GiB total capacity; 13.50 GiB already allocated)")\n',
      'train.py': 'import sys, torch\nactivations = torch.cuda.empty(float(sys.argv[1]))\n',
    });
    const env = { PYTHONPATH: join(folder, 'venv/lib/python3.11/site-packages') };
    const failure = run(`${python} train.py 2`, folder, env);
    expect(failure.label).toBe('oom');
    const a = signatureOf(failure, folder);
    expect(a.summary).toMatch(/^oom torch\.cuda\.OutOfMemoryError: CUDA out of memory\. Tried to allocate 2\.00 GiB .* at train\.py:2$/);
    expect(a.frame?.file).toBe('train.py');
    expect(a.signature).toBe(signatureOf(run(`${python} train.py 3.5`, folder, env), folder).signature);
  });

  it("names numpy's allocation error", () => {
    const folder = recipe('numpy', { 'arr.py': 'import numpy as np, sys\nweights = np.ones(int(sys.argv[1]))\n' });
    const failure = run(`${python} arr.py 1000000000000`, folder);
    expect(failure.label).toBe('oom');
    expect(signatureOf(failure, folder).summary).toMatch(/^oom numpy\..*_ArrayMemoryError: Unable to allocate .* at arr\.py:2$/);
  });

  it('finds the exception when stdout flushed at exit follows the traceback', () => {
    const folder = recipe('buffered', { 'noisy.py': 'for step in range(40):\n    print(f"step {step} loss {2.5 - step / 100}")\nraise RuntimeError("loss diverged to nan")\n' });
    const failure = run(`${python} noisy.py`, folder);
    expect(failure.output.split('\n').slice(-1)[0]).toMatch(/^(step 39|RuntimeError)/);
    expect(signatureOf(failure, folder).summary).toBe('crash RuntimeError: loss diverged to nan at noisy.py:3');
  });

  it('reads a traceback whose header was cut off by the output tail', () => {
    const folder = recipe('deep', { 'deep.py': 'def f(n):\n    if n == 0:\n        raise IndexError("no more layers")\n    return f(n - 1)\nf(60)\n' });
    const failure = run(`${python} deep.py`, folder);
    const cut = failure.output.split('\n').slice(-12).join('\n');
    expect(cut).not.toContain('Traceback');
    const a = extractFailureSignature({ label: 'crash', detail: 'exited with code 1', output: cut, recipe: { roots: [folder] } });
    expect(a.summary).toBe('crash IndexError: no more layers at deep.py:3');
  });

  it('falls back to the last meaningful line when there is no traceback', () => {
    const folder = recipe('usage', { 'cli.py': 'import argparse\nparser = argparse.ArgumentParser()\nparser.add_argument("--lr", type=float)\nparser.parse_args()\n' });
    const a = signatureOf(run(`${python} cli.py --depth 3`, folder), folder);
    expect(a.summary).toBe('crash exited with code 2: cli.py: error: unrecognized arguments: --depth 3');
    expect(a.signature).toBe('crash exited with code 2: cli.py: error: unrecognized arguments: --depth <n>');
    expect(a.frame).toBeNull();
  });
});

describe('Node errors', () => {
  it('names an Error by its message and the recipe frame, with the source Node printed above it', () => {
    const folder = recipe('node-error', {
      'lib.mjs': 'export function build(cfg) {\n  if (cfg.d % cfg.h !== 0) throw new Error(`d_model ${cfg.d} is not divisible by n_heads ${cfg.h}`);\n  return cfg;\n}\n',
      'main.mjs': "import { build } from './lib.mjs';\nconsole.log('step 1');\nbuild({ d: Number(process.argv[2]), h: 3 });\n",
    });
    const a = signatureOf(run('node main.mjs 100', folder), folder);
    const b = signatureOf(run('node main.mjs 50', folder), folder);
    expect(a.summary).toBe('crash Error: d_model 100 is not divisible by n_heads 3 at lib.mjs:2');
    expect(a.frame?.source).toContain('throw new Error');
    expect(a.signature).toBe(b.signature);
  });

  it('locates a SyntaxError at the line Node printed', () => {
    const folder = recipe('node-syntax', { 'bad.js': 'const a = 1;\nlet x = ;\n' });
    const a = signatureOf(run('node bad.js', folder), folder);
    expect(a.summary).toBe("crash SyntaxError: Unexpected token ';' at bad.js:2");
    expect(a.frame).toEqual({ file: 'bad.js', line: 2, source: 'let x = ;' });
  });

  it('names a thrown value that is not an Error', () => {
    const folder = recipe('node-throw', { 'throw.js': 'throw "config has no lr";\n' });
    expect(signatureOf(run('node throw.js', folder), folder).summary).toBe('crash thrown value: config has no lr at throw.js:1');
  });

  it('keeps ERR_ codes and leaves runtime internals out of the frame', () => {
    const folder = recipe('node-module', { 'imp.mjs': "import x from 'nonexistent-pkg';\n" });
    const a = signatureOf(run('node imp.mjs', folder), folder);
    expect(a.exception?.code).toBe('ERR_MODULE_NOT_FOUND');
    expect(a.signature).toBe("crash Error [ERR_MODULE_NOT_FOUND]: Cannot find package 'nonexistent-pkg' imported from imp.mjs");
    expect(a.frame).toBeNull();
  });

  it('reads assert failures with the source line from the recipe', () => {
    const folder = recipe('node-assert', { 'check.js': "const assert = require('assert');\nfunction check(a, b) { assert.strictEqual(a % b, 0, 'd must be a multiple of h'); }\ncheck(Number(process.argv[2]), 3);\n" });
    const failure = run('node check.js 10', folder);
    const a = signatureOf(failure, folder, { sourceLine: (file, line) => readFileSync(file, 'utf8').split('\n')[line - 1] ?? null });
    expect(a.summary).toBe('crash AssertionError [ERR_ASSERTION]: d must be a multiple of h at check.js:2');
    expect(a.frame?.source).toContain('assert.strictEqual(a % b, 0');
  });

  it('names an unhandled rejection by its reason', () => {
    const folder = recipe('node-reject', { 'reject.js': "Promise.reject('no data');\n" });
    const a = signatureOf(run('node reject.js', folder), folder);
    expect(a.summary).toBe('crash UnhandledPromiseRejection [ERR_UNHANDLED_REJECTION]: rejected with "no data"');
  });

  it('labels a heap out of memory oom', () => {
    const folder = recipe('node-heap', { 'heap.js': 'const a = [];\nwhile (true) a.push(new Array(1e5).fill(1));\n' });
    const failure = run('node --max-old-space-size=16 heap.js', folder);
    expect(failure.label).toBe('oom');
    expect(signatureOf(failure, folder).signature).toBe('oom FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory');
  });
});

describe('failures without an exception', () => {
  const objective = { metric: 'loss', direction: 'minimize' as const };
  const ok = { exitCode: 0, signal: null, timedOut: false, aborted: false, spawnError: null, oomSuspected: false, tail: '' };

  function classify(facts: TrialFacts, gates: string[] = []) {
    const outcome = classifyOutcome(facts, objective, gates.map((gate) => parseGate(gate)!));
    if (outcome.kind !== 'failed') throw new Error('expected a failure');
    return outcome;
  }

  it('names which gate missed; the summary says by how much', () => {
    const a = classify({ run: ok, score: ok, metrics: { loss: 2, accuracy: 0.91 } }, ['accuracy >= 0.96']);
    const b = classify({ run: ok, score: ok, metrics: { loss: 2, accuracy: 0.5 } }, ['accuracy >= 0.96']);
    const signature = extractFailureSignature({ label: a.label, detail: a.detail });
    expect(signature.signature).toBe('gate_miss accuracy >= 0.96');
    expect(signature.summary).toBe('gate_miss accuracy = 0.91, gate >= 0.96 (missed by 0.05, 5.2%)');
    expect(extractFailureSignature({ label: b.label, detail: b.detail }).signature).toBe(signature.signature);
    const missing = classify({ run: ok, score: ok, metrics: { loss: 2 } }, ['accuracy >= 0.96']);
    expect(extractFailureSignature({ label: missing.label, detail: missing.detail }).signature).toBe('gate_miss accuracy missing');
  });

  it('names a timeout with its budget and the last output', () => {
    const failed = classify({ run: { ...ok, exitCode: null, signal: 'SIGTERM', timedOut: true, tail: 'step 800 loss 2.3\nstep 900 loss 2.2' } });
    const signature = extractFailureSignature({ label: failed.label, detail: failed.detail, output: 'step 800 loss 2.3\nstep 900 loss 2.2', runTimeoutMs: 600_000 });
    expect(signature.signature).toBe('run_timeout run killed at its 10m budget');
    expect(signature.summary).toBe('run_timeout run killed at its 10m budget; last output: step 900 loss 2.2');
  });

  it('names which size limit', () => {
    const failed = classify({ sizeExceeded: ['artifacts are 2000000 bytes, over the limit of 1000000'], run: ok });
    expect(extractFailureSignature({ label: failed.label, detail: failed.detail }).signature).toBe('size_exceeded artifacts limit');
    const diff = classify({ sizeExceeded: ['diff is 5000 bytes, over the limit of 100', 'weights.bin: 9000 bytes, over the file limit of 100'] });
    expect(extractFailureSignature({ label: diff.label, detail: diff.detail }).signature).toBe('size_exceeded diff limit; file limit (weights.bin)');
  });

  it('names a smoke gate or the artifact limit a smoke run\'s artifacts missed, whatever the smoke run printed', () => {
    const traceback = 'Traceback (most recent call last):\n  File "train.py", line 3, in <module>\nUserWarning: printed, not raised';
    const gate = classify({ smoke: ok, smokeOutput: 'gate missed: weights_bytes = 65536, gate <= 40000 (missed by 25536, 63.8%)' });
    const other = classify({ smoke: ok, smokeOutput: 'gate missed: weights_bytes = 81920, gate <= 40000 (missed by 41920, 104.8%)' });
    const signature = extractFailureSignature({ label: gate.label, detail: gate.detail, output: traceback });
    expect(signature.signature).toBe('smoke_failed gate weights_bytes <= 40000');
    expect(signature.summary).toBe('smoke_failed gate missed: weights_bytes = 65536, gate <= 40000 (missed by 25536, 63.8%)');
    expect(extractFailureSignature({ label: other.label, detail: other.detail }).signature).toBe(signature.signature);
    const limit = classify({ smoke: ok, smokeOutput: 'artifacts are 131072 bytes, over the limit of 102400' });
    expect(extractFailureSignature({ label: limit.label, detail: limit.detail }).signature).toBe('smoke_failed artifacts limit');
  });

  it('names a missing metric, and a score command that crashed', () => {
    const missing = classify({ run: ok, score: ok, metrics: { accuracy: 1 } });
    expect(extractFailureSignature({ label: missing.label, detail: missing.detail }).signature).toBe("metric_missing no finite 'loss'");
    const folder = recipe('score', { 'score.py': 'import json\njson.load(open("artifacts/metrics.json"))\n' });
    const output = spawnSync('/bin/sh', ['-c', `exec 2>&1; ${python} score.py`], { cwd: folder, encoding: 'utf8' }).stdout;
    const crashed = classify({ run: ok, score: { ...ok, exitCode: 1, tail: output } });
    const signature = extractFailureSignature({ label: crashed.label, detail: crashed.detail, output, recipe: { roots: [folder] } });
    expect(signature.summary).toBe("metric_missing FileNotFoundError: [Errno 2] No such file or directory: 'artifacts/metrics.json' at score.py:2");
  });

  it('puts the label and the first line of the detail for the rest', () => {
    expect(extractFailureSignature({ label: 'duplicate', detail: 'same tree as trial #17' }).signature).toBe('duplicate same tree as trial #<n>');
    expect(extractFailureSignature({ label: 'pruned', detail: 'median pruner: at step 300 the best value 2.1 is worse than the median 2.0 of 5 trials' }).signature).toBe('pruned median pruner');
    expect(extractFailureSignature({ label: 'crash', detail: 'repeat 2 (seed 2): exited with code 3', output: '' }).signature).toBe('crash exited with code 3');
  });
});
