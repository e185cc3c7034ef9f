#!/usr/bin/env python3
"""The real-process recipe of `npm run bench:pareto`: compress a fixed corpus with zlib.

Two objectives, both minimised: `ratio` (compressed bytes / original bytes) and `cpu_ms`
(CPU milliseconds of the compression, the least of three runs: measured, so noisy).
Knobs (one JSON object as the only argument): level 0-9, mem_level 1-9, wbits 9-15,
strategy (default, filtered, huffman_only, rle, fixed), chunk_kib (the corpus is
compressed in independent chunks of this size: smaller is worse for the ratio),
delta (byte-wise delta coding first: helps the numeric table, hurts the text).
Prints one JSON line: {"ratio": ..., "cpu_ms": ...}.
"""
import json
import random
import sys
import time
import zlib

STRATEGIES = {"default": zlib.Z_DEFAULT_STRATEGY, "filtered": zlib.Z_FILTERED, "huffman_only": zlib.Z_HUFFMAN_ONLY, "rle": zlib.Z_RLE, "fixed": zlib.Z_FIXED}


def corpus() -> bytes:
    rng = random.Random(1234)
    words = ["loss", "step", "learning", "rate", "model", "token", "batch", "gradient", "layer", "the", "of", "and", "weight", "decay", "warmup"]
    text = " ".join(rng.choices(words, k=30000)).encode()
    jitter = rng.randbytes(120000)
    table = bytes((i * 7 + jitter[i] % 3) % 256 for i in range(120000))
    noise = rng.randbytes(20000)
    return text + table + noise


def main() -> None:
    params = json.loads(sys.argv[1])
    data = corpus()
    if params.get("delta"):
        data = bytes([data[0]] + [(data[i] - data[i - 1]) % 256 for i in range(1, len(data))])
    chunk = max(1, int(params["chunk_kib"])) * 1024
    best = None
    size = 0
    for _ in range(3):
        start = time.process_time()
        size = 0
        for offset in range(0, len(data), chunk):
            compressor = zlib.compressobj(int(params["level"]), zlib.DEFLATED, int(params["wbits"]), int(params["mem_level"]), STRATEGIES[params["strategy"]])
            size += len(compressor.compress(data[offset:offset + chunk]) + compressor.flush())
        elapsed = (time.process_time() - start) * 1000
        best = elapsed if best is None else min(best, elapsed)
    print(json.dumps({"ratio": size / len(data), "cpu_ms": best}))


if __name__ == "__main__":
    main()
