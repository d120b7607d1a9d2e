#!/usr/bin/env python3
"""Layout-only baseline for a rewrite run on programs: how many of lossless coding's bits are saved by
normalizing the originals' layout alone (CR LF to LF, trailing blanks and blank lines dropped), with
nothing else changed. It tells how much of a rewrite's saving is its own edits.

Each original, normalized, takes the place of the row's greedy rewrite in a scratch copy of the run
(the other texts are dropped), `llmz eval recode` codes it exactly as the run codes every text (same
coder, the problem as context), and the sums are compared. The originals are coded again beside them
and must give the run's own lossless bits, which checks that the coding is the run's.

  bench/layout_baseline.py bench/results/qwen/rewrite-mbpp.jsonl --coder qwen0.5b
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile


def normalized(text):
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines if line.strip()).strip()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run", help="results file of `llmz eval rewrite`")
    ap.add_argument("--coder", required=True, help="the run's coder (a short name or GGUF path)")
    ap.add_argument("--llmz", default=os.environ.get("LLMZ", "build/llmz"))
    ap.add_argument("-T", "--threads", default="1")
    a = ap.parse_args()

    rows = [json.loads(line) for line in open(a.run)]
    with tempfile.TemporaryDirectory() as tmp:
        scratch, out = os.path.join(tmp, "layout.jsonl"), os.path.join(tmp, "recoded.jsonl")
        with open(scratch, "w") as f:
            for row in rows:
                original = row["reference"]["lossless"]
                row["reference"] = {"original_bytes": row["reference"]["original_bytes"], "lossless": original,
                                    "rewrite": {"text": normalized(original["text"]), "bits": 0, "bytes": 0,
                                                "correct": False}}
                row.pop("llm", None)
                row["shortest_of_n"] = {"text": "", "bits": 0, "bytes": 0, "correct": False}
                f.write(json.dumps(row) + "\n")
        # Its summary tables are of no use here (the scratch rows hold no verdicts): only the bits are.
        subprocess.run([a.llmz, "eval", "recode", scratch, "--coder", a.coder, "-T", a.threads, "-q", "-o", out],
                       check=True, stdout=subprocess.DEVNULL)
        recoded = [json.loads(line) for line in open(out)]

    run_bits = {r["id"]: r["reference"]["lossless"]["bits"] for r in rows}  # each row kept its lossless entry
    lossless = sum(r["reference"]["lossless"]["bits"] for r in recoded)
    layout = sum(r["reference"]["rewrite"]["bits"] for r in recoded)
    mismatched = [r["id"] for r in recoded if r["reference"]["lossless"]["bits"] != run_bits[r["id"]]]
    if mismatched:
        sys.exit(f"layout_baseline: the originals coded again differ from the run's bits on {mismatched}: "
                 "another coder or build?")
    print(f"{len(recoded)} problems: lossless {lossless} bits, layout normalized {layout} bits "
          f"({100 * layout / lossless:.1f}% of lossless)")


if __name__ == "__main__":
    main()
