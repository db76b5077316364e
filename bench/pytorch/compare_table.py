#!/usr/bin/env python3
"""The table of bench/compare.sh, from the JSON files its runs wrote into one folder:

    lengthgen-step-R.json    `lengthgen bench step --json` of round R (experiment shapes and presets)
    baseline-step-R.json     the same from an earlier build (optional: the "before" column)
    pytorch-I-Tt-Bb-R.json   bench_step.py for row I of the step rows, t torch threads, b OpenBLAS threads
    lengthgen-gemm-R.json    `lengthgen bench gemm --json`
    openblas-gemm-R.json     blas_gemm.py (OpenBLAS sgemm through numpy)

Every figure is the median over rounds of each run's median. Per row: lengthgen's tokens/s (before and after when a
baseline ran), PyTorch at its best over the four thread configurations and which one it was, the ratio, and MFU
(model FLOPs per second / the fp32 peak lengthgen measured on as many threads). Experiment rows run one thread per
run, as reproduce does; their PyTorch comparison is per core (tokens/s divided by the cores a configuration keeps
busy, the larger of its torch and OpenBLAS thread counts), so a 2-thread configuration counts at half.
"""
import glob
import json
import os
import statistics
import sys


def load(path):
    with open(path) as f:
        return json.load(f)


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def row_key(r):
    return (r.get("experiment") or r.get("preset"), r.get("groups", ""), r["T"])


def label(r):
    if "experiment" in r:
        return f"{r['experiment']} [{r['groups']}]"
    return r["preset"]


def fmt(v, pattern, empty="-"):
    return empty if v is None else pattern.format(v)


def main():
    out = sys.argv[1]
    rounds = sorted({int(p.rsplit("-", 1)[1].split(".")[0]) for p in glob.glob(f"{out}/lengthgen-step-*.json")})
    steps = [load(f"{out}/lengthgen-step-{r}.json") for r in rounds]
    first = steps[0]
    rows = first["step"]
    base_rounds = [load(f"{out}/baseline-step-{r}.json") for r in rounds
                   if os.path.exists(f"{out}/baseline-step-{r}.json")]
    peak = first.get("peak", {}).get("gflops")
    run_peak = first.get("run_peak", {}).get("gflops")

    def peak_for(cores):
        return run_peak if cores == 1 else peak

    print(f"lengthgen: {first['device']}; {first['java']}; {first['available_processors']} processors")
    if peak:
        print(f"fp32 peak, all threads: {peak:.1f} GFLOP/s ({first['peak']['method']})")
    if run_peak:
        print(f"fp32 peak, one thread: {run_peak:.1f} GFLOP/s")
    py0 = None
    for p in sorted(glob.glob(f"{out}/pytorch-*.json")):
        py0 = load(p)
        break
    if py0:
        print(f"pytorch {py0['torch']}, {py0['implementation']}; BLAS {', '.join(py0['blas_library'])}, core "
              f"{py0['blas_core']} (OPENBLAS_CORETYPE={py0['openblas_coretype']})")
    print(f"medians over {len(rounds)} round(s), lengthgen and PyTorch alternating; configuration tTbB = T torch "
          "threads, B OpenBLAS threads")
    print()
    head = (f"{'shape':44} {'B x T':>8} {'thr':>3} {'before tok/s':>12} {'tok/s':>9} {'speedup':>7} {'MFU':>6} "
            f"{'PyTorch best':>12} {'config':>6} {'ratio':>6} {'PT MFU':>6}  all four PyTorch configurations (tok/s)")
    print(head)
    print("-" * len(head))
    for i, r in enumerate(rows):
        key = row_key(r)
        mine = [next(x for x in s["step"] if row_key(x) == key) for s in steps]
        tps = median([m["tokens_per_second"] for m in mine])
        mfu = median([m.get("mfu") for m in mine])
        before = None
        if base_rounds:
            before = median([next((x["tokens_per_second"] for x in b["step"] if row_key(x) == key), None)
                             for b in base_rounds])
        per_core = "experiment" in r
        configs = []
        for t in (1, 2):
            for b in (1, 2):
                runs = [load(p) for p in glob.glob(f"{out}/pytorch-{i}-T{t}-B{b}-*.json")]
                if not runs:
                    continue
                cores = max(t, b)
                py_tps = median([x["tokens_per_second"] for x in runs])
                py_gflops = median([x["achieved_gflops"] for x in runs])
                configs.append((f"t{t}b{b}", cores, py_tps, py_gflops))
        best = max(configs, key=lambda c: c[2] / (c[1] if per_core else 1)) if configs else None
        ratio = pt = pt_mfu = None
        config = "-"
        if best:
            config = best[0]
            pt = best[2] / (best[1] if per_core else 1)
            ratio = tps / pt
            pk = peak_for(best[1])
            pt_mfu = best[3] / pk if pk else None
        speedup = tps / before if before else None
        all_four = "  ".join(f"{c[0]} {c[2]:,.0f}" for c in configs)
        print(f"{label(r)[:44]:44} {r['batch']:>3}x{r['T']:<4} {r['threads']:>3} {fmt(before, '{:12,.0f}'):>12} "
              f"{tps:9,.0f} {fmt(speedup, '{:6.2f}x'):>7} {fmt(mfu and 100 * mfu, '{:5.1f}%'):>6} "
              f"{fmt(pt, '{:12,.0f}'):>12} {config:>6} {fmt(ratio, '{:5.2f}x'):>6} "
              f"{fmt(pt_mfu and 100 * pt_mfu, '{:5.1f}%'):>6}  {all_four}")
    print()
    print("Experiment rows (one thread, as reproduce runs them): PyTorch best and ratio per core. Presets: lengthgen "
          "on every core, PyTorch best in absolute tokens/s. MFU = model FLOPs per step (every forward matmul incl. "
          "QK^T and AV over the full T x T and the LM head, x3) / time / measured peak.")

    gemm = [load(f"{out}/lengthgen-gemm-{r}.json") for r in rounds if os.path.exists(f"{out}/lengthgen-gemm-{r}.json")]
    blas = [load(f"{out}/openblas-gemm-{r}.json") for r in rounds if os.path.exists(f"{out}/openblas-gemm-{r}.json")]
    if gemm and blas:
        print()
        print(f"GEMM GFLOP/s, forward inp.W^T and backward dout.W + dout^T.inp: lengthgen ({gemm[0]['device']}) "
              f"beside OpenBLAS {blas[0]['blas_core']} sgemm through {blas[0]['library']} "
              f"({blas[0]['blas_threads']} threads)")
        print(f"{'size':>6} {'lengthgen fwd':>14} {'OpenBLAS fwd':>13} {'ratio':>6} {'lengthgen bwd':>14} "
              f"{'OpenBLAS bwd':>13} {'ratio':>6}")
        for row in gemm[0]["gemm"]:
            n = row["size"]
            lf = median([next(x["forward"]["median_gflops"] for x in g["gemm"] if x["size"] == n) for g in gemm])
            lb = median([next(x["backward"]["median_gflops"] for x in g["gemm"] if x["size"] == n) for g in gemm])
            of = median([next((x["forward"]["median_gflops"] for x in b["gemm"] if x["size"] == n), None)
                         for b in blas])
            ob = median([next((x["backward"]["median_gflops"] for x in b["gemm"] if x["size"] == n), None)
                         for b in blas])
            print(f"{n:6} {lf:14.1f} {fmt(of, '{:13.1f}'):>13} {fmt(of and lf / of, '{:5.2f}x'):>6} {lb:14.1f} "
                  f"{fmt(ob, '{:13.1f}'):>13} {fmt(ob and lb / ob, '{:5.2f}x'):>6}")


if __name__ == "__main__":
    main()
