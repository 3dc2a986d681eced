"""Latency chart for docs/benchmarks.md: request latency percentiles against issue 6's targets, and ours vs GenAI.
Usage: chart.py results.json out.png. Exit 3 when matplotlib is missing (the benchmark then skips the chart)."""
import json
import sys

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    sys.exit(3)

r = json.load(open(sys.argv[1]))
kinds = ["completion", "inline", "beam", "fillin"]
targets = {"completion": 30, "inline": 40, "beam": 60, "fillin": 40}  # p95 / p50 limits from issue 6
fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4.2), gridspec_kw={"width_ratios": [3, 2]})
width = 0.26
for i, (p, colour) in enumerate([("p50_ms", "#4c72b0"), ("p95_ms", "#dd8452"), ("p99_ms", "#c44e52")]):
    vals = [(r.get(k) or {}).get(p) or 0 for k in kinds]
    a.bar([x + (i - 1) * width for x in range(len(kinds))], vals, width, label=p.replace("_ms", ""), color=colour)
for x, k in enumerate(kinds):
    a.hlines(targets[k], x - 0.45, x + 0.45, colors="black", linestyles="dashed", linewidth=1)
a.set_xticks(range(len(kinds)))
a.set_xticklabels(["completion\n(every key)", "inline\n(each word)", "beam 4x16\n(2k doc)", "fill-in 16\n(2k doc)"])
a.set_ylabel("ms")
a.set_title("Through the server over stdio (dashed: target)")
a.legend()

cmp = r.get("engine_vs_genai") or {}
pairs = [
    ("greedy 32", "engine_greedy32_ms", "genai_greedy32_ms"),
    ("beam 4x16", "engine_beam4x16_ms", "genai_beam4x16_ms"),
]
n = cmp.get("editor_requests_compared") or 0
if n:
    pairs.append(("editor request\n(mean)", None, None))
labels, ours, theirs = [], [], []
for label, o, t in pairs:
    labels.append(label)
    if o is None:
        ours.append(cmp.get("engine_cached_total_ms", 0) / n)
        theirs.append(cmp.get("genai_fresh_total_ms", 0) / n)
    else:
        ours.append(cmp.get(o) or 0)
        theirs.append(cmp.get(t) or 0)
xs = range(len(labels))
b.bar([x - 0.2 for x in xs], ours, 0.4, label="TransformerLsp engine", color="#55a868")
b.bar([x + 0.2 for x in xs], theirs, 0.4, label="ONNX Runtime GenAI", color="#8172b3")
b.set_xticks(list(xs))
b.set_xticklabels(labels)
b.set_ylabel("ms")
b.set_title("Same model.onnx, same process")
b.legend()
model = r.get("model", {})
fig.suptitle(
    f"{model.get('name', '')} on {r.get('machine', {}).get('cores', '?')} cores "
    f"({'quick' if r.get('quick') else 'full'} run, {r.get('timestamp', '')})",
    fontsize=9,
)
fig.tight_layout()
fig.savefig(sys.argv[2], dpi=110)
