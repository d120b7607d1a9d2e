#!/usr/bin/env python3
"""Builds the LoRA domain set (issue #6) from ../shared/data: four domains of (prompt, response) pairs,
each split into training and held-out records that never share a source item.

  gsm8k  grade-school math solutions    train: GSM8K train      held out: GSM8K test
  math   competition math solutions     train: MATH test minus MATH-500, subjects in turn   held out: MATH-500
  code   Python solutions (MBPP)        train: task ids outside 11-510    held out: 11-510 (MBPP's test split)
  chat   GPT-4 Turbo answers (AlpacaEval 2.0 references)   every 10th record held out, the rest train

Writes DIR/<domain>/train.jsonl and DIR/<domain>/test.jsonl, one {"prompt", "response"} per line (the
form `llmz lora train --data` reads), in source order. Each train file is cut at --train-bytes of
prompt + response text, each test file at --test-items records.

  bench/lora_domains.py --out bench/domains
"""
import argparse
import json
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


def read_jsonl(path):
    # Split on \n only: some records hold U+2028, which str.splitlines() would cut (see the MANIFEST).
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]


def gsm8k():
    pairs = lambda rows: [(r["question"], r["answer"]) for r in rows]
    return (pairs(read_jsonl(DATA / "benchmarks/gsm8k/train.jsonl")),
            pairs(read_jsonl(DATA / "benchmarks/gsm8k/test.jsonl")))


def round_robin(rows, key):
    """Rows taken from each group in turn (groups in order of first appearance), so that a file cut
    at a byte budget holds every group, not just the first."""
    groups = {}
    for r in rows:
        groups.setdefault(key(r), []).append(r)
    out = []
    for i in range(max(map(len, groups.values()), default=0)):
        out += [g[i] for g in groups.values() if i < len(g)]
    return out


def math():
    held = read_jsonl(DATA / "benchmarks/math500/math500_test.jsonl")
    held_problems = {r["problem"] for r in held}
    # MATH's file is sorted by subject: cut at 100 KB it would be algebra alone, while MATH-500 mixes
    # all seven subjects (an algebra-only adapter coded the held-out solutions worse than the base).
    full = round_robin([r for r in read_jsonl(DATA / "benchmarks/math500/math_test_full.jsonl")
                        if r["problem"] not in held_problems], key=lambda r: r["type"])
    return ([(r["problem"], r["solution"]) for r in full], [(r["problem"], r["solution"]) for r in held])


def code():
    rows = read_jsonl(DATA / "benchmarks/mbpp/mbpp.jsonl")
    pair = lambda r: (r["text"], r["code"].replace("\r\n", "\n"))
    return ([pair(r) for r in rows if not 11 <= r["task_id"] <= 510],
            [pair(r) for r in rows if 11 <= r["task_id"] <= 510])


def chat():
    rows = json.loads((DATA / "corpora/llm-responses/alpaca_eval/gpt4_1106_preview.json").read_text(encoding="utf-8"))
    pairs = [(r["instruction"], r["output"]) for r in rows]
    return ([p for i, p in enumerate(pairs) if i % 10 != 9], [p for i, p in enumerate(pairs) if i % 10 == 9])


DOMAINS = {"gsm8k": gsm8k, "math": math, "code": code, "chat": chat}


def write(path, pairs):
    path.write_text("".join(json.dumps({"prompt": p, "response": r}, ensure_ascii=False) + "\n" for p, r in pairs),
                    encoding="utf-8")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, required=True, help="folder to write the domains into")
    ap.add_argument("--train-bytes", type=int, default=100_000, help="prompt + response bytes per training file")
    ap.add_argument("--test-items", type=int, default=25, help="held-out records per domain")
    ap.add_argument("--domains", default=",".join(DOMAINS), help="comma-separated subset of " + ", ".join(DOMAINS))
    args = ap.parse_args()
    if not DATA.is_dir():
        sys.exit(f"error: {DATA} not found (the shared data folder)")
    for name in args.domains.split(","):
        if name not in DOMAINS:
            sys.exit(f"error: unknown domain {name!r}; known: {', '.join(DOMAINS)}")
        train, test = DOMAINS[name]()
        kept, size = [], 0
        for p, r in train:
            n = len(p.encode()) + len(r.encode())
            if size + n > args.train_bytes:
                break
            kept.append((p, r))
            size += n
        folder = args.out / name
        folder.mkdir(parents=True, exist_ok=True)
        write(folder / "train.jsonl", kept)
        write(folder / "test.jsonl", test[: args.test_items])
        print(f"{name}: {len(kept)} training records ({size} bytes), {min(len(test), args.test_items)} held out",
              file=sys.stderr)


if __name__ == "__main__":
    main()
