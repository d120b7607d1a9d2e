#!/usr/bin/env python3
"""Lossless benchmark: llmz (one row per model) against gzip -9, bzip2 -9, xz -9e and zstd -19.

For every file of the corpora it records compressed size and bits per byte; for llmz also compress
and decompress speed, peak memory (max RSS) and a verified round trip. With --efficiency it also
measures llama.cpp's raw forward-pass speed under llmz's own evaluation settings (same model,
threads, lock-step width, chunk length and tokens per call, no coding), in the same run, and reports
efficiency = llmz tokens/s / raw tokens/s.

Results go to bench/results/lossless.json (updated after every measurement, so --resume continues
an interrupted run) and bench/results/lossless.md.

  bench/lossless.py                                  # every corpus file, whole, both models
  bench/lossless.py --max-bytes 16384 --resume       # first 16 KB of each file
  bench/lossless.py --max-bytes 4096 --report        # the table from what a run has measured so far
  bench/lossless.py --files canterbury/alice29.txt --efficiency
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "corpora"
RESULTS = ROOT / "bench" / "results"
CLASSIC = {
    "gzip -9": ["gzip", "-9", "-c"],
    "bzip2 -9": ["bzip2", "-9", "-c"],
    "xz -9e": ["xz", "-9e", "-c"],
    "zstd -19": ["zstd", "-19", "-c", "-q"],
}
MODELS = {"smollm2": "SmolLM2-135M-Instruct.Q8_0.gguf", "gemma3": "gemma-3-270m-q4_k_m.gguf",
          "qwen0.5b": "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf", "qwen1.5b": "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"}
DEFAULT_MODELS = ["smollm2", "gemma3"]  # the Qwen pair on request (--models qwen0.5b qwen1.5b): slower
MICRO_BATCH = 32


def timed(cmd, stdin_path=None, stdout_path=None):
    """Runs cmd; returns (seconds, max RSS in KB)."""
    with open(stdin_path or os.devnull, "rb") as fin, open(stdout_path or os.devnull, "wb") as fout:
        start = time.monotonic()
        proc = subprocess.run(["/usr/bin/time", "-f", "%M", *cmd], stdin=fin, stdout=fout,
                              stderr=subprocess.PIPE, text=True)
        seconds = time.monotonic() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {proc.stderr.strip()}")
    return seconds, int(proc.stderr.strip().splitlines()[-1])


def corpus_files(selected):
    if selected:
        return [DATA / f for f in selected]
    return sorted(p for p in DATA.rglob("*") if p.is_file())


def prepared_input(path, max_bytes, work):
    if not max_bytes or path.stat().st_size <= max_bytes:
        return path
    out = work / (str(path.relative_to(DATA)).replace("/", "__") + f".first{max_bytes}")
    out.write_bytes(path.read_bytes()[:max_bytes])
    return out


def measure_llmz(llmz, model, src, work, threads, extra, repeat):
    """Compress and decompress `repeat` times; the median times and the largest peak memory."""
    packed = work / "out.llmz"
    back = work / "back"
    load = os.getloadavg()[0]  # other work on the machine: speeds under load are not comparable
    runs = []
    for _ in range(repeat):
        c = timed([str(llmz), "-q", "-f", "-T", str(threads), "-m", model, *extra, str(src), "-o", str(packed)])
        d = timed([str(llmz), "-q", "-f", "-d", "-T", str(threads), "-m", model, str(packed), "-o", str(back)])
        if back.read_bytes() != src.read_bytes():
            raise RuntimeError(f"llmz {model}: round trip of {src} differs")
        runs.append((c, d))
    info = json.loads(subprocess.run([str(llmz), "info", "--json", str(packed)], capture_output=True,
                                     text=True, check=True).stdout)
    return {"size": packed.stat().st_size, "compress_s": statistics.median(c[0] for c, _ in runs),
            "decompress_s": statistics.median(d[0] for _, d in runs), "runs": len(runs),
            "peak_rss_kb": max(max(c[1], d[1]) for c, d in runs), "tokens": info["llm_tokens"],
            "llm_chunks": info["llm_chunks"], "model_bytes": info["llm_bytes"], "streams": info["streams"],
            "window_tokens": info["window_tokens"], "window_overlap": info["window_overlap"],
            "threads": threads, "load_before": round(load, 2)}


def forward_speed(forward, model_file, threads, row, per_call_decode, repeat):
    """Raw tokens/s of the same schedule (lock-step width, mean chunk length, tokens per call); median."""
    chunks = max(row["llm_chunks"], 1)
    streams = min(row.get("streams", 16), chunks)  # rows measured before "streams" was kept: the default
    length = max(1, row["tokens"] // chunks)
    if per_call_decode:
        per_call = 1
    else:
        # as the encoder: calls of max(micro-batch, min(512, 8 x slots)) tokens shared by the streams
        per_call = max(1, min(MICRO_BATCH, max(MICRO_BATCH, min(512, streams * 8)) // streams))
    speeds = []
    for _ in range(repeat):
        out = subprocess.run([str(forward), model_file, str(threads), str(streams), str(length), str(per_call)],
                             capture_output=True, text=True, check=True).stdout
        speeds.append(json.loads(out)["tokens_per_second"])
    return statistics.median(speeds)


def label_of(model, extra):
    return f"llmz {model}" + (f" {' '.join(extra)}" if extra else "")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", nargs="*", help="paths under shared/data/corpora (default: all)")
    ap.add_argument("--models", nargs="*", default=DEFAULT_MODELS, choices=list(MODELS), help="llmz model short names")
    ap.add_argument("--max-bytes", type=int, default=0, help="use only the first N bytes of each file")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--efficiency", action="store_true", help="also measure raw forward-pass speed")
    ap.add_argument("--resume", action="store_true", help="keep results already in the JSON file")
    ap.add_argument("--name", default="lossless", help="results file stem")
    ap.add_argument("--build", type=Path, default=ROOT / "build",
                    help="build folder with llmz and tools/ (a copy keeps a long run apart from rebuilds)")
    ap.add_argument("--llmz-args", default="", help="extra compress options, e.g. '--streams 1 --window 8192'")
    ap.add_argument("--repeat", type=int, default=1, help="timed runs per measurement (medians are kept)")
    ap.add_argument("--report", action="store_true",
                    help="only write the Markdown table from the JSON file (e.g. while a run goes on)")
    args = ap.parse_args()
    llmz, forward = args.build / "llmz", args.build / "tools" / "llmz-forward-throughput"
    extra = args.llmz_args.split()
    labels = [label_of(m, extra) for m in args.models]

    RESULTS.mkdir(parents=True, exist_ok=True)
    json_path = RESULTS / f"{args.name}.json"
    results = json.loads(json_path.read_text()) if (args.resume or args.report) and json_path.exists() else {}
    results.setdefault("rows", {})
    if args.report:
        if "settings" not in results:
            sys.exit(f"{json_path}: no results yet")
        write_report(results, labels, args.name)
        return
    # A resumed run keeps the first run's settings (measurements record their own threads and load),
    # and must cut the files the same way.
    if "settings" in results and results["settings"]["max_bytes"] != args.max_bytes:
        sys.exit(f"{json_path}: made with --max-bytes {results['settings']['max_bytes']}; resume with the same, "
                 "or use --name for another table")
    results.setdefault("settings", {"max_bytes": args.max_bytes, "threads": args.threads, "repeat": args.repeat,
                                    "cpu": subprocess.run(["sh", "-c", "lscpu | sed -n 's/^Model name: *//p'"],
                                                          capture_output=True, text=True).stdout.strip(),
                                    "nproc": os.cpu_count()})
    files = corpus_files(args.files)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for i, path in enumerate(files, 1):
            src = prepared_input(path, args.max_bytes, work)
            key = str(path.relative_to(DATA))
            row = results["rows"].setdefault(key, {"bytes": src.stat().st_size})
            for name, cmd in CLASSIC.items():
                if name not in row:
                    out = work / "classic.out"
                    seconds, _ = timed(cmd, src, out)
                    row[name] = {"size": out.stat().st_size, "compress_s": seconds}
            for model, label in zip(args.models, labels):
                if label not in row:
                    print(f"[{i}/{len(files)}] {key} ({row['bytes']} bytes): {label} ...", file=sys.stderr, flush=True)
                    row[label] = measure_llmz(llmz, model, src, work, args.threads, extra, args.repeat)
                if args.efficiency and "raw_decode_tps" not in row[label] and row[label]["tokens"]:
                    model_file = str(ROOT / "models" / MODELS[model])
                    for key_tps, per_call_decode in (("raw_decode_tps", True), ("raw_encode_tps", False)):
                        row[label][key_tps] = forward_speed(forward, model_file, args.threads, row[label],
                                                            per_call_decode, args.repeat)
                json_path.write_text(json.dumps(results, indent=1))
            json_path.write_text(json.dumps(results, indent=1))
    write_report(results, labels, args.name)


def write_report(results, labels, name):
    # every model measured so far, not only this run's
    labels = list(dict.fromkeys([m for row in results["rows"].values() for m in row if m.startswith("llmz ")]
                                + labels))
    path = RESULTS / f"{name}.md"
    path.write_text(markdown(results, labels))
    print(path.read_text())


def bpb(size, n):
    return 8.0 * size / n if n else float("nan")


def markdown(results, labels):
    rows = results["rows"]
    s = results["settings"]
    methods = labels + list(CLASSIC)
    lines = [f"Bits per byte (lower is better). CPU: {s['cpu']}, {s['threads']} threads unless the speed table says "
             "otherwise."
             + (f" Times are medians of {s['repeat']} runs." if s.get("repeat", 1) > 1 else "")
             + (f" Each file truncated to its first {s['max_bytes']} bytes." if s["max_bytes"] else ""), "",
             "| file | bytes | " + " | ".join(methods) + " |", "|---|---:|" + "---:|" * len(methods)]
    for key, row in rows.items():
        cells = [f"{bpb(row[m]['size'], row['bytes']):.3f}" if m in row else "" for m in methods]
        lines.append(f"| {key} | {row['bytes']} | " + " | ".join(cells) + " |")
    lines += ["", "llmz speed, memory and efficiency (efficiency = llmz tokens/s / raw forward-pass tokens/s "
              "for the same model, threads, lock-step width, chunk length and tokens per call):", "",
              "| file | model | tokens | compress KB/s | decompress KB/s | compress tok/s | decompress tok/s "
              "| efficiency (c / d) | peak RSS MB | threads | load before |",
              "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for key, row in rows.items():
        for m in labels:
            r = row.get(m)
            if not r:
                continue
            ctps = r["tokens"] / r["compress_s"]
            dtps = r["tokens"] / r["decompress_s"]
            eff = (f"{ctps / r['raw_encode_tps']:.2f} / {dtps / r['raw_decode_tps']:.2f}"
                   if "raw_decode_tps" in r else "")
            lines.append(f"| {key} | {m} | {r['tokens']} | {row['bytes'] / r['compress_s'] / 1000:.2f} | "
                         f"{row['bytes'] / r['decompress_s'] / 1000:.2f} | {ctps:.0f} | {dtps:.0f} | {eff} | "
                         f"{r['peak_rss_kb'] / 1024:.0f} | {r.get('threads', s['threads'])} | "
                         f"{r.get('load_before', '')} |")
    totals = {m: sum(r[m]["size"] for r in rows.values() if m in r) for m in methods}
    n_all = {m: sum(r["bytes"] for r in rows.values() if m in r) for m in methods}
    lines += ["", "Totals over the files measured: " + ", ".join(
        f"{m} {bpb(totals[m], n_all[m]):.3f}" for m in methods if n_all[m]) + " bpb."]
    measured = [r[m] for r in rows.values() for m in labels if "raw_decode_tps" in r.get(m, {})]
    if measured:
        for verb, seconds, raw in (("compress", "compress_s", "raw_encode_tps"),
                                   ("decompress", "decompress_s", "raw_decode_tps")):
            effs = [r["tokens"] / r[seconds] / r[raw] for r in measured]
            lines.append(f"Median {verb} efficiency: {statistics.median(effs):.2f}.")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
