#!/usr/bin/env python3
"""Online mixing ablation (issue #21): compressed size of each corpus file under every mixing setting.

For each file (its first --max-bytes bytes, or whole with --max-bytes 0) it compresses with
`--mix none`, `all` and each part alone, with llmz's other settings at their defaults, and checks
that the `all` file decodes (llmz -t). Sizes are whole files, headers included. Results go to a JSON
file (updated after every measurement: --resume continues) and a Markdown table beside it.

  bench/mixing.py --max-bytes 4096                        # Calgary and Canterbury, first 4 KB
  bench/mixing.py --files canterbury/alice29.txt --max-bytes 0 --settings none,all --name alice29
"""
import argparse
import json
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "corpora"
RESULTS = ROOT / "bench" / "results"
RECORD = 5  # bytes of a mixing record: type, flags, length, mixer version, parts
TEXT = {"bib", "book1", "book2", "news", "paper1", "paper2", "paper3", "paper4", "paper5", "paper6",
        "alice29.txt", "asyoulik.txt", "lcet10.txt", "plrabn12.txt"}


def compressed_size(llmz, path, mix, out, extra):
    subprocess.run([llmz, "-q", "-f", "--mix", mix, *extra, str(path), "-o", str(out)], check=True)
    return out.stat().st_size


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--llmz", default=str(ROOT / "build" / "llmz"))
    ap.add_argument("--files", nargs="*", help="corpus files (default: calgary/* and canterbury/*)")
    ap.add_argument("--max-bytes", type=int, default=4096, help="first bytes of each file; 0 = whole")
    ap.add_argument("--settings", default="none,all,match,ngram,calibrate")
    ap.add_argument("--extra", default="", help="more llmz options, e.g. '--streams 1 --window 512'")
    ap.add_argument("--name", default="mixing", help="results: bench/results/NAME.json and .md")
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--report", action="store_true", help="only write the table from the JSON file")
    a = ap.parse_args()

    files = [DATA / f for f in a.files] if a.files else sorted(
        p for d in ("calgary", "canterbury") for p in (DATA / d).iterdir() if p.is_file())
    settings = a.settings.split(",")
    extra = a.extra.split()
    json_path, md_path = RESULTS / f"{a.name}.json", RESULTS / f"{a.name}.md"
    results = json.loads(json_path.read_text()) if (a.resume or a.report) and json_path.exists() else {}
    if a.report:
        return write_table(results, settings, md_path, a)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for f in files:
            key = str(f.relative_to(DATA))
            row = results.setdefault(key, {})
            data = f.read_bytes()
            if a.max_bytes:
                data = data[:a.max_bytes]
            src = tmp / f.name
            src.write_bytes(data)
            row["bytes"] = len(data)
            for s in settings:
                if s in row:
                    continue
                out = tmp / f"{f.name}.{s}.llmz"
                row[s] = compressed_size(a.llmz, src, s, out, extra)
                if s == "all":
                    subprocess.run([a.llmz, "-q", "-t", str(out)], check=True)
                json_path.write_text(json.dumps(results, indent=1))
                print(key, s, row[s], flush=True)
    write_table(results, settings, md_path, a)


def write_table(results, settings, md_path, a):
    scope = "whole files" if a.max_bytes == 0 else f"first {a.max_bytes} bytes of each file"
    lines = [f"# Online mixing: size by setting ({scope})", "",
             f"`bench/mixing.py --max-bytes {a.max_bytes} --settings {a.settings}"
             + (f" --extra '{a.extra}'" if a.extra else "") + "`; SmolLM2-135M-Instruct Q8_0, llmz defaults"
             + (f" plus `{a.extra}`" if a.extra else "") + ". Whole files in bytes (headers included); "
             "the other columns are the change against `--mix none`. A file mixed with all parts (the default) "
             "carries no mixing record; every other setting, `none` included, carries one of 5 bytes. The last "
             "column compares `all` with what version 5 wrote: the `none` file without that record. "
             "Text files in bold.", "",
             "| file | bytes | " + " | ".join(f"`{s}`" for s in settings) + " | `all` vs version 5 |",
             "|---|---:|" + "---:|" * (len(settings) + 1)]
    totals = {s: 0 for s in settings}
    for key, row in sorted(results.items()):
        if not all(s in row for s in settings):
            continue
        name = f"**{key}**" if key.split("/")[-1] in TEXT else key
        cells = []
        for s in settings:
            totals[s] += row[s]
            cells.append(f"{row[s]:,}" if s == "none" else f"{100 * (row[s] / row['none'] - 1):+.2f}%")
        cells.append(f"{100 * (row['all'] / (row['none'] - RECORD) - 1):+.2f}%")
        lines.append(f"| {name} | {row['bytes']:,} | " + " | ".join(cells) + " |")
    lines.append("| total | | " + " | ".join(
        f"{totals[s]:,}" if s == "none" else f"{100 * (totals[s] / max(totals['none'], 1) - 1):+.2f}%"
        for s in settings) + f" | {100 * (totals['all'] / (totals['none'] - RECORD * len(results)) - 1):+.2f}% |")
    md_path.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
