#!/usr/bin/env python3
"""Single-chunk decoding speed (issue #21): decompress time of one build (--old) against another
(--new), on the first 4 KB of every corpus file and of four LLM responses: single-chunk files, where
the decoder evaluates one token per call unless its guesses (draft and verify) are right. Both
decoders read the same file (the script checks that both builds write the same bytes) and must give
the input back. Runs alternate old and new; speed-up = median old seconds / median new seconds.

Results: bench/results/NAME.json (after every file, so --resume continues) and NAME.md.
Pause other work first: the numbers are wall times.

  bench/draft_decode.py --old /tmp/llmz-before [--new build/llmz] [--reps 3] [--resume]
      [--name draft-decode] [--old-label before] [--new-label "with guesses"]
  bench/draft_decode.py --report [--name draft-decode]
"""
import argparse
import json
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "corpora"
RESULTS = ROOT / "bench" / "results"
RESPONSE_SETS = ["gpt4", "gemma-2b-it", "Qwen1.5-1.8B-Chat", "llama-2-7b-chat-hf"]


def inputs(work: Path):
    """(name, path): the first 4 KB of each Calgary and Canterbury file, and of the first response of
    at least 4 KB of each of four models in alpaca_eval."""
    out = []
    for src in sorted(p for p in (DATA / "calgary").iterdir()) + sorted((DATA / "canterbury").iterdir()):
        dst = work / (src.name + ".4k")
        dst.write_bytes(src.read_bytes()[:4096])
        out.append((f"{src.parent.name}/{src.name}", dst))
    for model in RESPONSE_SETS:
        for r in json.loads((DATA / "llm-responses" / "alpaca_eval" / f"{model}.json").read_text()):
            text = r.get("output", "").encode()
            if len(text) >= 4096:
                dst = work / f"response-{model}.4k"
                dst.write_bytes(text[:4096])
                out.append((f"response ({model})", dst))
                break
    return out


def run(cmd):
    start = time.monotonic()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.monotonic() - start


def measure(old: str, new: str, path: Path, reps: int, work: Path):
    packed, again = work / "new.llmz", work / "old.llmz"
    run([new, "-q", "-f", str(path), "-o", str(packed)])
    run([old, "-q", "-f", str(path), "-o", str(again)])
    if packed.read_bytes() != again.read_bytes():
        raise RuntimeError(f"{path}: the two builds write different files")
    times = {"old": [], "new": []}
    for _ in range(reps):
        for which, binary in (("old", old), ("new", new)):
            out = work / "out"
            times[which].append(run([binary, "-q", "-f", "-d", str(packed), "-o", str(out)]))
            if out.read_bytes() != path.read_bytes():
                raise RuntimeError(f"{path}: {which} build's round trip differs")
    return times


def report(res, results_name):
    rows = res["rows"]
    old, new = res.get("labels", ["before", "with guesses"])
    lines = [f"# Single-chunk decoding: {new} against {old}", "",
             f"`{res['command']}`; {res['machine']}. Decompress wall seconds, median of {res['reps']} alternating "
             f"runs each; speed-up = {old} / {new}. First 4 KB of each file: one chunk, so the decoder "
             "evaluates one token per call unless its guesses are right.", "",
             f"| input | {old} (s) | {new} (s) | speed-up |", "|---|---:|---:|---:|"]
    ups = []
    for name, r in rows.items():
        o, n = statistics.median(r["old"]), statistics.median(r["new"])
        ups.append((o / n, name))
        lines.append(f"| {name} | {o:.2f} | {n:.2f} | {o / n:.2f} |")
    if ups:
        lines += ["", f"Median speed-up {statistics.median(u for u, _ in ups):.2f}; lowest {min(ups)[0]:.2f} "
                  f"({min(ups)[1]}), highest {max(ups)[0]:.2f} ({max(ups)[1]})."]
        # Files that go to zstd (binary data) decode in well under a second whatever the model's speed.
        coded = [(o / n, name) for name, r in rows.items()
                 for o, n in [(statistics.median(r["old"]), statistics.median(r["new"]))] if o > 1]
        if coded:
            lines.append(f"Over the {len(coded)} inputs the model decodes (over 1 s): median "
                         f"{statistics.median(u for u, _ in coded):.2f}, lowest {min(coded)[0]:.2f} ({min(coded)[1]}).")
    (RESULTS / f"{results_name}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--old", help="the llmz build to compare against")
    ap.add_argument("--new", default=str(ROOT / "build" / "llmz"))
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--report", action="store_true", help="only write the table from the JSON")
    ap.add_argument("--name", default="draft-decode", help="results file name in bench/results")
    ap.add_argument("--old-label", default="before")
    ap.add_argument("--new-label", default="with guesses")
    a = ap.parse_args()
    path = RESULTS / f"{a.name}.json"
    if a.report:
        report(json.loads(path.read_text()), a.name)
        return
    if not a.old:
        sys.exit("--old BINARY is required (the build to compare against)")
    res = json.loads(path.read_text()) if a.resume and path.exists() else {"rows": {}}
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    res.update(command="bench/draft_decode.py " + shlex.join(sys.argv[1:]), reps=a.reps,
               labels=[a.old_label, a.new_label],
               machine=f"{cpu}, {subprocess.check_output(['nproc']).decode().strip()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for name, file in inputs(work):
            if name in res["rows"]:
                continue
            res["rows"][name] = measure(a.old, a.new, file, a.reps, work)
            path.write_text(json.dumps(res, indent=1))
            print(name, {k: [round(x, 2) for x in v] for k, v in res["rows"][name].items()}, flush=True)
    report(res, a.name)


if __name__ == "__main__":
    main()
