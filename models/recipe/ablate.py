"""Short ablations of the training recipe at equal wall clock: each configuration trains for --minutes on the same data
with one thread, two configurations at a time on a 2-core machine (so every run gets one core under the same
conditions), each with its own full warm-up + cosine schedule over its budget; they are compared on the final
validation loss (the same fixed validation windows for all). Writes one JSON with every run's summary, and prints a
Markdown table.

Usage: python3 ablate.py --data models/work/v2/data --out models/work/ablations [--minutes 9]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))

# name -> train.py flags on top of the baseline (4 x 256, lr 1e-3, batch 4 x 512, pre-norm, no dropout)
RUNS = [
    ("baseline", []),
    ("lr 2e-3", ["--lr", "2e-3"]),
    ("batch 8, lr 1.4e-3", ["--batch-size", "8", "--lr", "1.4e-3"]),
    ("6 layers x 256", ["--n-layer", "6"]),
    ("4 layers x 320, 5 heads", ["--n-embd", "320", "--n-head", "5"]),
    ("post-norm (course notes)", ["--norm-position", "post"]),
]


def summary(log_path: str) -> dict:
    events = [json.loads(line) for line in open(log_path)]
    start = next(e for e in events if e["event"] == "start")
    end = next(e for e in events if e["event"] == "end")
    evals = [e for e in events if e["event"] == "eval"]
    return {
        "parameters": start["parameters"],
        "steps": end["step"],
        "tokens": end["tokens"],
        "tokens_per_s": end["tokens_per_s"],
        "final_val_loss": evals[-1]["val_loss"],
        "best_val_loss": end["best_val_loss"],
        "curve": [(e["elapsed_s"], e["val_loss"]) for e in evals],
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--minutes", type=float, default=9.0)
    ap.add_argument("--parallel", type=int, default=2)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    results = {}
    for i in range(0, len(RUNS), args.parallel):
        procs = []
        for name, flags in RUNS[i : i + args.parallel]:
            slug = "".join(c if c.isalnum() else "_" for c in name)
            log = os.path.join(args.out, f"{slug}.jsonl")
            cmd = [
                sys.executable,
                os.path.join(HERE, "train.py"),
                "--data",
                args.data,
                "--out",
                os.path.join(args.out, f"{slug}.pt"),
                "--log",
                log,
                "--threads",
                "1",
                "--quiet",
                "--time-budget-min",
                str(args.minutes),
                "--eval-interval",
                "50",
                *flags,
            ]
            print(f"{time.strftime('%H:%M:%S')} start {name}: {' '.join(flags) or '(baseline)'}", file=sys.stderr)
            procs.append((name, flags, log, subprocess.Popen(cmd)))
        for name, flags, log, p in procs:
            if p.wait() != 0:
                raise SystemExit(f"{name} failed")
            results[name] = {"flags": flags, **summary(log)}
            r = results[name]
            print(
                f"{time.strftime('%H:%M:%S')} done {name}: val {r['final_val_loss']:.4f}, {r['steps']} steps, "
                f"{r['tokens_per_s']:.0f} tok/s",
                file=sys.stderr,
            )
    with open(os.path.join(args.out, "ablations.json"), "w") as f:
        json.dump(
            {"minutes": args.minutes, "threads_per_run": 1, "parallel": args.parallel, "runs": results}, f, indent=1
        )
    base = results["baseline"]["final_val_loss"]
    print("| configuration | parameters | steps | tokens/s (1 thread) | validation loss | vs baseline |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, r in results.items():
        print(
            f"| {name} | {r['parameters'] / 1e6:.2f} M | {r['steps']} | {r['tokens_per_s']:.0f} | "
            f"{r['final_val_loss']:.4f} | {r['final_val_loss'] - base:+.4f} |"
        )


if __name__ == "__main__":
    main()
