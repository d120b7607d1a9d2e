#!/usr/bin/env python3
"""Record archives: the targets of issue #24, measured on a corpus of real LLM responses.

The corpus: the first N records (default 200) of AlpacaEval's text_davinci_003 outputs
(../shared/data/corpora/llm-responses/alpaca_eval/), as JSON Lines {instruction, output}: the prompt
and the response (the other fields, the same in every record, are left out: an archive stores a
record's other fields as they are, which separate .llmz files would not hold at all). With the default model it measures:

  1. workers: the Ray job (llmz.ray_pack) with 1 and with 2 local workers, one CPU and one thread each,
     wall time in the same run; the archives are compared byte for byte with each other and with
     `llmz pack` of the whole corpus;
  2. overhead: the archive against the same records as separate .llmz files (each response coded with
     its prompt as context, as `llmz --context-file` does; with stored prompts, each prompt as its own
     .llmz file too);
  3. access: one record decoded from a small archive and from the whole one, timed (median of 5): the
     time follows the record, not the archive.

Needs the build's Python module (cmake -DLLMZ_PYTHON=ON, as scripts/setup.sh configures) and Ray
(the set-up installs both). Results: bench/results/archive.{json,md}. Run it on an idle machine.

  bench/archive.py [--records 200] [--model models/SmolLM2-135M-Instruct.Q8_0.gguf]
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
sys.path.insert(0, str(ROOT / "build" / "python"))
os.environ["PYTHONPATH"] = str(ROOT / "build" / "python")  # Ray's worker processes import llmz from there
import llmz  # noqa: E402
from llmz import ray_pack  # noqa: E402

CORPUS = ROOT.parent / "shared" / "data" / "corpora" / "llm-responses" / "alpaca_eval" / "text_davinci_003.json"
RESULTS = ROOT / "bench" / "results"
FIELDS = {"prompt_field": "instruction", "response_field": "output"}


def write_corpus(path: Path, n: int) -> list:
    records = [{"instruction": r["instruction"], "output": r["output"]} for r in json.load(open(CORPUS))[:n]]
    with open(path, "w") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    return records


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--records", type=int, default=200)
    p.add_argument("--model", default=str(ROOT / "models" / "SmolLM2-135M-Instruct.Q8_0.gguf"))
    a = p.parse_args()
    import ray

    work = Path(tempfile.mkdtemp(prefix="llmz-archive-bench-"))
    records_path = work / "records.jsonl"
    records = write_corpus(records_path, a.records)
    model = llmz.Model(a.model, threads=1)
    out = {"corpus": f"{CORPUS.name}, first {len(records)} records", "model": model.name,
           "records": len(records), "response_bytes": sum(len(r["output"].encode()) for r in records),
           "prompt_bytes": sum(len(r["instruction"].encode()) for r in records)}

    # 1. Workers.
    walls = {}
    for workers in (1, 2):
        if ray.is_initialized():
            ray.shutdown()
        wall, _ = timed(lambda: ray_pack.pack(str(records_path), str(work / f"ray{workers}.llmza"), a.model,
                                              str(work / f"shards{workers}"), workers=workers, shard_records=10,
                                              progress=lambda s: None, **FIELDS))
        walls[workers] = wall
        print(f"ray_pack, {workers} worker(s): {wall:.1f} s", file=sys.stderr)
    ray.shutdown()
    llmz.pack(model, str(records_path), str(work / "pack.llmza"), jobs=1, **FIELDS)
    same = (work / "ray1.llmza").read_bytes() == (work / "ray2.llmza").read_bytes() == (work / "pack.llmza").read_bytes()
    out["workers"] = {"one_s": walls[1], "two_s": walls[2], "speedup": walls[1] / walls[2],
                      "identical_1_2_and_pack": same}

    # 2. Overhead against separate .llmz files.
    llmz.pack(model, str(records_path), str(work / "ref.llmza"), store_prompts=False, **FIELDS)
    response_files = prompt_files = 0
    for r in records:
        response_files += len(llmz.compress(model, r["output"].encode(), context=r["instruction"]))
        prompt_files += len(llmz.compress(model, r["instruction"].encode()))
    stored, referenced = (work / "pack.llmza").stat().st_size, (work / "ref.llmza").stat().st_size
    out["overhead"] = {
        "archive_stored_prompts": stored, "files_prompts_and_responses": prompt_files + response_files,
        "stored_ratio": stored / (prompt_files + response_files),
        "archive_referenced_prompts": referenced, "files_responses": response_files,
        "referenced_ratio": referenced / response_files}

    # 3. Access: record k from a 10-record archive and from the whole one.
    small = work / "small.llmza"
    with open(work / "small.jsonl", "w") as f:
        f.writelines(open(records_path).readlines()[:10])
    llmz.pack(model, str(work / "small.jsonl"), str(small), **FIELDS)
    access = []
    for k in (0, 5, 9):
        times = {}
        for name, path in (("small", small), ("whole", work / "pack.llmza")):
            reader = llmz.ArchiveReader(str(path))
            times[name] = statistics.median(timed(lambda: reader.record(model, k))[0] for _ in range(5))
        access.append({"record": k + 1, "response_bytes": len(records[k]["output"].encode()),
                       "small_archive_s": times["small"], "whole_archive_s": times["whole"],
                       "ratio": times["whole"] / times["small"]})
    out["access"] = {"small_archive_bytes": small.stat().st_size, "whole_archive_bytes": stored, "records": access}

    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "archive.json").write_text(json.dumps(out, indent=2) + "\n")
    w, o = out["workers"], out["overhead"]
    md = [f"# Record archives ({out['corpus']}, {out['model']})", "",
          f"{out['records']} records: {out['prompt_bytes']} prompt bytes, {out['response_bytes']} response bytes. "
          "Generated by `bench/archive.py`.", "",
          "| measure | value |", "|---|---|",
          f"| Ray job, 1 worker (wall) | {w['one_s']:.1f} s |",
          f"| Ray job, 2 workers (wall) | {w['two_s']:.1f} s |",
          f"| speed-up | {w['speedup']:.2f}x |",
          f"| archives of 1 and 2 workers and `llmz pack` byte-identical | {'yes' if w['identical_1_2_and_pack'] else 'NO'} |",
          f"| archive, prompts stored | {o['archive_stored_prompts']} bytes |",
          f"| separate .llmz files, prompts and responses | {o['files_prompts_and_responses']} bytes |",
          f"| archive / files (stored prompts) | {o['stored_ratio']:.4f} |",
          f"| archive, prompts referenced | {o['archive_referenced_prompts']} bytes |",
          f"| separate .llmz files, responses (with --context-file) | {o['files_responses']} bytes |",
          f"| archive / files (referenced prompts) | {o['referenced_ratio']:.4f} |", "",
          f"One record decoded from a {out['access']['small_archive_bytes']}-byte archive (10 records) and "
          f"from the {stored}-byte one ({out['records']} records), median of 5:", "",
          "| record | response bytes | small archive | whole archive | ratio |", "|---|---|---|---|---|"]
    for r in access:
        md.append(f"| {r['record']} | {r['response_bytes']} | {r['small_archive_s'] * 1000:.0f} ms | "
                  f"{r['whole_archive_s'] * 1000:.0f} ms | {r['ratio']:.2f} |")
    (RESULTS / "archive.md").write_text("\n".join(md) + "\n")
    print("\n".join(md))
    return 0


if __name__ == "__main__":
    sys.exit(main())
