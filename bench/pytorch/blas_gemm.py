#!/usr/bin/env python3
"""OpenBLAS sgemm GFLOP/s at square sizes, through numpy, with the same three products that `lengthgen bench gemm`
times through its linear-layer ops:

    forward   out = inp . W^T                        2 n^3 FLOPs
    backward  dinp = dout . W  and  dW = dout^T . inp   4 n^3 FLOPs

Each product is warmed up, then timed in samples of at least --min-time seconds; the median sample is reported,
with the BLAS library and the core type OpenBLAS picked (run it with OPENBLAS_CORETYPE=SkylakeX on these CPUs and
OPENBLAS_NUM_THREADS set to the threads wanted). Prints one JSON object.
"""
import argparse
import json
import os
import statistics
import time

import numpy as np

from blas_info import blas


def timed(fn, flops, samples, min_time):
    fn()
    t0 = time.perf_counter()
    calls = 0
    while time.perf_counter() - t0 < min_time:  # warm-up, and a calibration of calls per sample
        fn()
        calls += 1
    calls = max(1, calls)
    rates = []
    for _ in range(samples):
        t = time.perf_counter()
        for _ in range(calls):
            fn()
        rates.append(flops * calls / (time.perf_counter() - t) / 1e9)
    return rates


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="256,512,1024")
    ap.add_argument("--samples", type=int, default=7)
    ap.add_argument("--min-time", type=float, default=0.2)
    args = ap.parse_args()
    rng = np.random.default_rng(1)
    rows = []
    for n in [int(s) for s in args.sizes.split(",")]:
        inp, w, dout = (rng.standard_normal((n, n), dtype=np.float32) for _ in range(3))
        out, dinp, dw = (np.empty((n, n), dtype=np.float32) for _ in range(3))

        def forward():
            np.matmul(inp, w.T, out=out)

        def backward():
            np.matmul(dout, w, out=dinp)
            np.matmul(dout.T, inp, out=dw)

        fwd = timed(forward, 2.0 * n ** 3, args.samples, args.min_time)
        bwd = timed(backward, 4.0 * n ** 3, args.samples, args.min_time)
        rows.append({"size": n,
                     "forward": {"median_gflops": round(statistics.median(fwd), 3),
                                 "samples": [round(x, 3) for x in fwd]},
                     "backward": {"median_gflops": round(statistics.median(bwd), 3),
                                  "samples": [round(x, 3) for x in bwd]}})
    libs, core, threads = blas()
    print(json.dumps({"library": "numpy " + np.__version__, "blas_library": libs, "blas_core": core,
                      "blas_threads": threads, "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE", ""),
                      "gemm": rows}))


if __name__ == "__main__":
    main()
