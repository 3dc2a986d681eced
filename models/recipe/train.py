"""Train the GPT on the prepared token stream (after nanoGPT's train.py, single process, CPU).

Schedule: linear warm-up then cosine decay to lr/10, defined over the fraction of the run done, where the run ends
at --max-iters steps or after --time-budget-min minutes of wall clock, whichever comes first. On a shared machine the
wall-clock budget makes the run finish on time; --max-iters N with --time-budget-min 0 reproduces a run exactly
(same seed, same batches, same schedule) whatever the machine's speed.

Every --eval-interval steps (and at the end) the validation loss is measured on a fixed set of windows and the best
checkpoint is kept. Logs one JSON object per line to --log; shows a progress bar on stderr.

Usage: python3 train.py --data DIR --out CKPT.pt [--time-budget-min 65] [--max-iters N] [model/optimizer flags]
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from dataclasses import asdict

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import GPT, GPTConfig  # noqa: E402


def parse_args(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True, help="folder with train.bin, val.bin (uint16 ids)")
    ap.add_argument("--out", required=True, help="best checkpoint path (.pt)")
    ap.add_argument("--log", default=None, help="JSON-lines training log (default: OUT with .log.jsonl)")
    ap.add_argument("--n-layer", type=int, default=4)
    ap.add_argument("--n-head", type=int, default=4)
    ap.add_argument("--n-embd", type=int, default=256)
    ap.add_argument("--block-size", type=int, default=512, help="training window = n_positions")
    ap.add_argument("--vocab-size", type=int, default=8000)
    ap.add_argument("--dropout", type=float, default=0.0, help="0: under 2 passes over the data, see MODEL_CARD.md")
    ap.add_argument("--norm-position", choices=["pre", "post"], default="pre")
    ap.add_argument(
        "--batch-size", type=int, default=4, help="windows per step: small, for more updates per CPU-minute"
    )
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--min-lr-ratio", type=float, default=0.1)
    ap.add_argument("--warmup-frac", type=float, default=0.04)
    ap.add_argument("--weight-decay", type=float, default=0.1)
    ap.add_argument("--grad-clip", type=float, default=1.0)
    ap.add_argument("--max-iters", type=int, default=0, help="0 = no step limit (the time budget ends the run)")
    ap.add_argument("--time-budget-min", type=float, default=0.0, help="0 = no time limit (max-iters ends the run)")
    ap.add_argument("--eval-interval", type=int, default=150)
    ap.add_argument("--eval-windows", type=int, default=32, help="fixed validation windows of block-size tokens")
    ap.add_argument("--seed", type=int, default=1337)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument(
        "--init-from",
        default=None,
        help="start from this checkpoint's weights (a later stage of a run: "
        "its model flags are taken from it, the schedule starts anew)",
    )
    ap.add_argument("--quiet", action="store_true", help="no progress bar")
    args = ap.parse_args(argv)
    if args.max_iters <= 0 and args.time_budget_min <= 0:
        ap.error("give --max-iters or --time-budget-min (or both)")
    return args


def lr_at(frac: float, args) -> float:
    """Warm-up over the first warmup_frac of the run, then cosine from lr down to lr * min_lr_ratio."""
    if frac < args.warmup_frac:
        return args.lr * (frac + 1e-3) / args.warmup_frac
    progress = min(1.0, (frac - args.warmup_frac) / (1.0 - args.warmup_frac))
    min_lr = args.lr * args.min_lr_ratio
    return min_lr + 0.5 * (1.0 + math.cos(math.pi * progress)) * (args.lr - min_lr)


class ProgressBar:
    def __init__(self, enabled: bool):
        self.enabled = enabled and True
        self.last = 0.0

    def show(self, frac: float, text: str, force: bool = False):
        now = time.time()
        if not self.enabled or (now - self.last < 1.0 and not force):
            return
        self.last = now
        width = 30
        filled = int(round(width * min(1.0, frac)))
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {100 * frac:5.1f}% {text}   ")
        sys.stderr.flush()

    def done(self):
        if self.enabled:
            sys.stderr.write("\n")


def main(argv=None):
    args = parse_args(argv)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    torch.set_num_threads(args.threads)
    train = np.fromfile(os.path.join(args.data, "train.bin"), dtype=np.uint16).astype(np.int64)
    val = np.fromfile(os.path.join(args.data, "val.bin"), dtype=np.uint16).astype(np.int64)
    T = args.block_size
    config = GPTConfig(
        n_layer=args.n_layer,
        n_head=args.n_head,
        n_embd=args.n_embd,
        n_positions=T,
        vocab_size=args.vocab_size,
        dropout=args.dropout,
        norm_position=args.norm_position,
    )
    init = torch.load(args.init_from, map_location="cpu") if args.init_from else None
    if init is not None:
        config = GPTConfig(**{**init["config"], "dropout": args.dropout})
        T = config.n_positions
    model = GPT(config)
    if init is not None:
        model.load_state_dict(init["model"])
        print(f"starting from {args.init_from} (step {init['step']}, val loss {init['val_loss']:.4f})", file=sys.stderr)
    optimizer = model.configure_optimizer(args.lr, args.weight_decay)
    log_path = args.log or os.path.splitext(args.out)[0] + ".log.jsonl"
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    log = open(log_path, "w")

    rng = np.random.default_rng(args.seed)
    # Fixed validation windows, spread evenly over the validation stream, so evaluations are comparable.
    n_val = min(args.eval_windows, max(1, (len(val) - 1) // T))
    val_starts = np.linspace(0, len(val) - T - 1, n_val).astype(np.int64)
    val_x = torch.from_numpy(np.stack([val[s : s + T] for s in val_starts]))
    val_y = torch.from_numpy(np.stack([val[s + 1 : s + T + 1] for s in val_starts]))

    def batch():
        starts = rng.integers(0, len(train) - T - 1, size=args.batch_size)
        x = torch.from_numpy(np.stack([train[s : s + T] for s in starts]))
        y = torch.from_numpy(np.stack([train[s + 1 : s + T + 1] for s in starts]))
        return x, y

    @torch.no_grad()
    def val_loss() -> float:
        model.eval()
        losses = [
            model.loss(val_x[i : i + 8], val_y[i : i + 8]).item() * len(val_x[i : i + 8])
            for i in range(0, len(val_x), 8)
        ]
        model.train()
        return sum(losses) / len(val_x)

    def record(**kv):
        log.write(json.dumps(kv) + "\n")
        log.flush()

    record(
        event="start",
        config=asdict(config),
        args=vars(args),
        parameters=model.num_parameters(),
        init_from={"path": args.init_from, "step": init["step"], "val_loss": init["val_loss"]} if init else None,
        train_tokens=int(len(train)),
        val_tokens=int(len(val)),
    )
    print(
        f"model: {model.num_parameters() / 1e6:.2f} M parameters; train {len(train)} tokens, val {len(val)}",
        file=sys.stderr,
    )
    bar = ProgressBar(not args.quiet)
    budget_s = args.time_budget_min * 60.0
    t0 = time.time()
    train_time = 0.0  # wall clock spent in training steps (evaluations excluded), what the schedule follows
    best, best_step, step, tokens = float("inf"), -1, 0, 0
    recent = []

    def fraction_done() -> float:
        f = 0.0
        if args.max_iters > 0:
            f = max(f, step / args.max_iters)
        if budget_s > 0:
            f = max(f, (time.time() - t0) / budget_s)
        return f

    def evaluate_and_keep():
        nonlocal best, best_step
        vl = val_loss()
        improved = vl < best
        if improved:
            best, best_step = vl, step
            torch.save(
                {
                    "config": asdict(config),
                    "model": model.state_dict(),
                    "step": step,
                    "val_loss": vl,
                    "tokens": tokens,
                    "args": vars(args),
                },
                args.out,
            )
        record(
            event="eval",
            step=step,
            tokens=tokens,
            elapsed_s=round(time.time() - t0, 1),
            train_time_s=round(train_time, 1),
            val_loss=vl,
            best=improved,
        )
        return vl

    model.train()
    vl = float("nan")
    while True:
        frac = fraction_done()
        if frac >= 1.0:
            break
        lr = lr_at(frac, args)
        for g in optimizer.param_groups:
            g["lr"] = lr
        ts = time.time()
        x, y = batch()
        loss = model.loss(x, y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), args.grad_clip)
        optimizer.step()
        dt = time.time() - ts
        train_time += dt
        step += 1
        tokens += x.numel()
        recent = (recent + [loss.item()])[-20:]
        record(
            event="step",
            step=step,
            tokens=tokens,
            elapsed_s=round(time.time() - t0, 2),
            lr=lr,
            loss=loss.item(),
            tokens_per_s=round(x.numel() / dt, 1),
        )
        if step % args.eval_interval == 0:
            vl = evaluate_and_keep()
        bar.show(
            fraction_done(),
            f"step {step} loss {sum(recent) / len(recent):.3f} val {vl:.3f} " f"lr {lr:.2e} {x.numel() / dt:.0f} tok/s",
        )
    vl = evaluate_and_keep()
    bar.show(1.0, f"step {step} val {vl:.3f} best {best:.3f} @ {best_step}", force=True)
    bar.done()
    elapsed = time.time() - t0
    record(
        event="end",
        step=step,
        tokens=tokens,
        elapsed_s=round(elapsed, 1),
        train_time_s=round(train_time, 1),
        tokens_per_s=round(tokens / max(train_time, 1e-9), 1),
        best_val_loss=best,
        best_step=best_step,
    )
    print(
        f"done: {step} steps, {tokens} tokens in {elapsed / 60:.1f} min ({tokens / max(train_time, 1e-9):.0f} tok/s "
        f"while training); best val loss {best:.4f} at step {best_step} -> {args.out}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
