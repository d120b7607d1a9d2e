#!/usr/bin/env python3
"""Speed under load: llmz compress and decompress with -T auto (the default), -T 1 and -T 2, on an
idle machine and with one and with two competing busy processes (a busy loop each, at nice 19 as a
user's background job would be, or at nice 0 with --nice 0).

Every setting is run --reps times (median reported), all in one run, so the ratios compare like with
like. Results: bench/results/load.json (updated after every measurement; --resume continues) and
bench/results/load.md. Run it on an otherwise idle machine: other work counts as load.

  bench/load.py                                   # the default inputs, 3 repetitions
  bench/load.py --reps 1 --loads 0,1              # quicker
  bench/load.py --report                          # the table from what was measured
"""
import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "corpora"
RESULTS = ROOT / "bench" / "results"
SETTINGS = ["auto", "1", "2"]


def default_inputs(work: Path):
    """(name, path): a 7.7 KB Markdown file that is coded as two chunks (2,388 tokens), and the first
    4 KB of a book, of source code and of an LLM response."""
    md = work / "readme-7700.md"
    md.write_bytes((ROOT / "README.md").read_bytes()[:7700])
    out = [("readme 7.7 KB (2 chunks)", md)]
    for rel in ["canterbury/alice29.txt", "canterbury/fields.c", "llm-responses"]:
        src = DATA / rel
        if src.is_dir():
            src = sorted(p for p in src.rglob("*") if p.is_file() and p.stat().st_size >= 4096)[0]
        dst = work / (src.name + ".4k")
        dst.write_bytes(src.read_bytes()[:4096])
        out.append((f"{src.name} 4 KB", dst))
    return out


def start_load(n: int, nice: int):
    return [subprocess.Popen(["nice", "-n", str(nice), sys.executable, "-c", "while True: pass"]) for _ in range(n)]


def stop_load(procs):
    for p in procs:
        p.send_signal(signal.SIGKILL)
        p.wait()


def run(cmd):
    start = time.monotonic()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.monotonic() - start


def measure(llmz: str, path: Path, setting: str, work: Path):
    packed = work / (path.name + f".T{setting}.llmz")
    c = run([llmz, "-q", "-f", "-T", setting, str(path), "-o", str(packed)])
    out = work / (path.name + ".out")
    d = run([llmz, "-q", "-f", "-d", "-T", setting, str(packed), "-o", str(out)])
    if out.read_bytes() != path.read_bytes():
        raise RuntimeError(f"{path}: round trip with -T {setting} differs")
    return c, d


def report(results) -> str:
    lines = [
        "# Speed under load",
        "",
        f"`bench/load.py {results['args']}`; {results['machine']}. Seconds, median of {results['reps']} runs; "
        "load = busy-loop processes competing for the 2 cores "
        f"(nice {results['nice']}). Ratio = auto / the best fixed -T measured in the same load.",
        "",
        "| input | load | direction | -T auto | -T 1 | -T 2 | auto / best fixed | decompress / compress (auto) |",
        "|---|---:|---|---:|---:|---:|---:|---:|",
    ]
    for key, row in results["rows"].items():
        name, load = key.rsplit("|", 1)
        for i, direction in enumerate(["compress", "decompress"]):
            med = {s: statistics.median(r[i] for r in row[s]) for s in SETTINGS if row.get(s)}
            if "auto" not in med or len(med) < 2:
                continue
            best = min(v for s, v in med.items() if s != "auto")
            dc = ""
            if direction == "decompress":
                comp = statistics.median(r[0] for r in row["auto"])
                dc = f"{med['auto'] / comp:.2f}"
            cell = lambda s: f"{med[s]:.1f}" if s in med else "not run"
            lines.append(f"| {name} | {load} | {direction} | {cell('auto')} | {cell('1')} | {cell('2')} | "
                         f"{med['auto'] / best:.2f} | {dc} |")
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--llmz", default=str(ROOT / "build" / "llmz"))
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--loads", default="0,1,2", help="numbers of competing busy processes")
    ap.add_argument("--inputs", type=int, default=4, help="how many of the default inputs (in order)")
    ap.add_argument("--settings", default="auto,1,2", help="-T values to measure")
    ap.add_argument("--nice", type=int, default=19, help="niceness of the competing processes")
    ap.add_argument("--json", default=str(RESULTS / "load.json"))
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--report", action="store_true", help="only write the table from the JSON")
    args = ap.parse_args()
    json_path = Path(args.json)
    md_path = json_path.with_suffix(".md")
    results = json.loads(json_path.read_text()) if (args.resume or args.report) and json_path.exists() else None
    if args.report:
        md_path.write_text(report(results))
        print(md_path.read_text())
        return
    if results is None:
        cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
        results = {"args": " ".join(sys.argv[1:]), "machine": f"{cpu}, {os.cpu_count()} cores",
                   "reps": args.reps, "nice": args.nice, "rows": {}}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for load in [int(x) for x in args.loads.split(",")]:
            procs = start_load(load, args.nice)
            try:
                for name, path in default_inputs(work)[:args.inputs]:
                    row = results["rows"].setdefault(f"{name}|{load}", {})
                    for setting in args.settings.split(","):
                        while len(row.setdefault(setting, [])) < args.reps:
                            c, d = measure(args.llmz, path, setting, work)
                            row[setting].append([c, d])
                            print(f"load {load} {name} -T {setting}: compress {c:.1f} s, decompress {d:.1f} s",
                                  file=sys.stderr)
                            json_path.write_text(json.dumps(results, indent=1))
            finally:
                stop_load(procs)
    md_path.write_text(report(results))
    print(md_path.read_text())


if __name__ == "__main__":
    main()
