"""Before/after suggestions on modern prompts, for the model card: for each prompt, the server's terminal mode (the
same code the editor runs, hybrid included) gives the top three next words or phrases (`complete`) and the best
beam-search continuation (`beam`), once with the previous model folder and once with the new one.

Usage: python3 suggestions.py --server server/TransformerLsp.Server/bin/Release/net10.0/transformer-lsp.dll \
           --before models/work/v1-model --after models/default --out models/history/v2-suggestions.json
"""
from __future__ import annotations

import argparse
import json
import subprocess

# The prompts first (a new user's first tries), then everyday and technical writing of our own.
PROMPTS = [
    "The server returns a 500 error when the request ",
    "Machine learning models require large amounts of ",
    "Please find attached the ",
    "Thanks for your email. I will get back to you ",
    "To install the package, run the following command ",
    "The meeting has been moved to next ",
    "If you have any questions, please ",
    "This function returns the number of ",
    "We are pleased to announce the release of ",
    "The database connection failed because the ",
]


def run(server: str, verb: str, prompt: str, model: str) -> dict:
    out = subprocess.run(
        ["dotnet", server, verb, prompt, "--model", model, "--json", "--width", "4", "--max-tokens", "12"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out)


def suggestions(server: str, prompt: str, model: str) -> str:
    words = [i["label"] for i in run(server, "complete", prompt, model)["items"][:3]]
    beams = run(server, "beam", prompt, model)["beams"]
    best = beams[0]["text"].strip() if beams else ""
    return f"{' · '.join(words)} — “{best}”"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", required=True)
    ap.add_argument("--before", required=True)
    ap.add_argument("--after", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    rows = [
        {
            "prompt": p,
            "before": suggestions(args.server, p, args.before),
            "after": suggestions(args.server, p, args.after),
        }
        for p in PROMPTS
    ]
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(
            {"format": "top three next words (complete) — best beam (beam --width 4 --max-tokens 12)", "prompts": rows},
            f,
            ensure_ascii=False,
            indent=1,
        )
        f.write("\n")


if __name__ == "__main__":
    main()
