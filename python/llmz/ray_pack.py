"""Pack a JSON Lines corpus into one record archive on a Ray cluster.

    python -m llmz.ray_pack records.jsonl -o corpus.llmza --model /shared/models/m.gguf --work shards/

The corpus is cut into shards of consecutive records. Each shard is a Ray task (one CPU) that codes its
records with the C++ codec (llmz.code_record) into a shard archive, written under --work only when
complete. When every shard is done, the shards are merged in order into the output. The result is
byte-identical to `llmz pack` of the whole corpus with the same options, whatever the number of
workers, because each record's entry depends only on the model, the options and the record.

Resumption: shards already in --work (complete archives of the right size) are not coded again, so a
job that lost a worker, or was stopped, continues where it was when run again with the same --work.

Models reach the workers by path: every node must see the model file at the same path (a shared file
system, or the same copy on each node). Each worker process loads it once and keeps it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Iterable

import llmz

# Options that change the bytes of entries: the same on every worker, and recorded in each shard's head.
_CODING_KEYS = ("prompt_field", "response_field", "store_prompts", "max_record_bytes", "window", "overlap")


def read_records(path: str) -> list[tuple[int, str]]:
    """The non-empty lines of a JSON Lines file, with their line numbers (from 1)."""
    with open(path, encoding="utf-8") as f:
        return [(n, line.rstrip("\r\n")) for n, line in enumerate(f, 1) if line.strip()]


def shard_path(work: str, index: int) -> str:
    return os.path.join(work, f"shard-{index:06d}.llmza")


def shard_done(path: str, records: int) -> bool:
    """A complete shard archive holding `records` entries (a Writer only renames complete ones)."""
    if not os.path.exists(path):
        return False
    try:
        return len(llmz.ArchiveReader(path)) == records
    except llmz.Error:
        return False


_models: dict[tuple[str, int], llmz.Model] = {}


def code_shard(model_path: str, threads: int, compute: str, lines: list[tuple[int, str]], source: str,
               out: str, options: dict) -> int:
    """Codes one shard into `out`; runs in a Ray worker (or in this process). Returns its records."""
    key = (model_path, threads)
    if key not in _models:  # a worker process loads the model once
        llmz.use_compute(compute)
        _models[key] = llmz.Model(model_path, threads=threads)
    model = _models[key]
    if os.environ.get("LLMZ_RAY_FAIL_SHARD") == os.path.basename(out):  # fault injection for the tests
        raise RuntimeError(f"{out}: failing as LLMZ_RAY_FAIL_SHARD asks")
    coding = {k: options[k] for k in _CODING_KEYS}
    writer = llmz.ArchiveWriter(out, model, prompt_field=coding["prompt_field"],
                                response_field=coding["response_field"], store_prompts=coding["store_prompts"],
                                window=coding["window"], overlap=coding["overlap"], overwrite=True)
    for number, line in lines:
        try:
            writer.add(llmz.code_record(model, line, **coding))
        except llmz.Error as e:
            raise llmz.Error(f"{source}:{number}: {e}", e.code) from None
    writer.finish()
    return len(lines)


def shards_of(records: list, size: int) -> Iterable[tuple[int, list]]:
    for i, start in enumerate(range(0, len(records), size)):
        yield i, records[start:start + size]


def pack(records_path: str, out: str, model: str, work: str, workers: int | None = None, shard_records: int = 50,
         threads: int = 1, compute: str = "portable", overwrite: bool = False, progress=print, **options) -> dict:
    """Packs records_path into `out` with Ray tasks; returns counts and timings. options: prompt_field,
    response_field, store_prompts, max_record_bytes, window, overlap (as llmz.code_record)."""
    import ray  # only this function needs Ray

    defaults = {"prompt_field": "prompt", "response_field": "response", "store_prompts": True,
                "max_record_bytes": 1 << 20, "window": 2048, "overlap": 512}
    unknown = set(options) - set(defaults)
    if unknown:
        raise llmz.Error(f"unknown options: {', '.join(sorted(unknown))}", 1)
    options = {**defaults, **options}
    if os.path.exists(out) and not overwrite:
        raise llmz.Error(f"{out}: already exists (use --force to overwrite)", 2)
    if not os.path.exists(model):
        raise llmz.Error(f"{model}: model file not found", 4)
    records = read_records(records_path)
    if not records:
        raise llmz.Error(f"{records_path}: no records", 1)
    os.makedirs(work, exist_ok=True)
    with open(os.path.join(work, "manifest.json"), "w") as f:  # what the shards are, for people and reruns
        json.dump({"records": records_path, "model": model, "shard_records": shard_records, "compute": compute,
                   "options": options, "shards": (len(records) + shard_records - 1) // shard_records}, f, indent=2)

    started = time.monotonic()
    if not ray.is_initialized():
        ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
    remote = ray.remote(num_cpus=1, max_retries=0)(code_shard)
    shards = list(shards_of(records, shard_records))
    pending, skipped = {}, 0
    for i, lines in shards:
        path = shard_path(work, i)
        if shard_done(path, len(lines)):
            skipped += 1
            continue
        pending[remote.remote(model, threads, compute, lines, records_path, path, options)] = i
    done = skipped
    progress(f"llmz ray_pack: {len(shards)} shards of up to {shard_records} records; {skipped} already done")
    errors = []
    while pending:
        ready, _ = ray.wait(list(pending), num_returns=1)
        for ref in ready:
            i = pending.pop(ref)
            try:
                ray.get(ref)
                done += 1
                progress(f"llmz ray_pack: shard {i} done ({done}/{len(shards)}, "
                         f"{time.monotonic() - started:.1f} s)")
            except Exception as e:  # a failed worker: the other shards go on; a rerun codes this one
                cause = getattr(e, "cause", None) or e
                errors.append(f"shard {i}: {cause}")
    if errors:
        raise llmz.Error("; ".join(errors) + f" ({done} of {len(shards)} shards done; run again to continue)", 3)
    llmz.merge([shard_path(work, i) for i, _ in shards], out, overwrite)
    return {"records": len(records), "shards": len(shards), "skipped": skipped,
            "seconds": time.monotonic() - started}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m llmz.ray_pack", description=__doc__.split("\n\n")[0])
    p.add_argument("records", help="the .jsonl corpus")
    p.add_argument("-o", "--output", required=True, help="the archive to write")
    p.add_argument("-m", "--model", required=True, help="GGUF path, the same on every node")
    p.add_argument("--work", required=True, help="folder for the shard archives (resumable)")
    p.add_argument("--workers", type=int, help="local cluster: CPUs to start it with (default: all)")
    p.add_argument("--address", help="an existing Ray cluster (e.g. auto, or ray://head:10001)")
    p.add_argument("--shard-records", type=int, default=50, help="records per shard (task)")
    p.add_argument("--threads", type=int, default=1, help="threads per worker for batched evaluation")
    p.add_argument("--compute", choices=["portable", "native"], default="portable")
    p.add_argument("--prompt-field", default="prompt")
    p.add_argument("--response-field", default="response")
    p.add_argument("--prompts", choices=["store", "reference"], default="store")
    p.add_argument("--window", type=int, default=2048)
    p.add_argument("--overlap", type=int, default=512)
    p.add_argument("-f", "--force", action="store_true", help="overwrite the output")
    a = p.parse_args(argv)
    if a.address:
        import ray

        ray.init(address=a.address, log_to_driver=False)
    try:
        r = pack(a.records, a.output, a.model, a.work, workers=a.workers, shard_records=a.shard_records,
                 threads=a.threads, compute=a.compute, overwrite=a.force, prompt_field=a.prompt_field,
                 response_field=a.response_field, store_prompts=a.prompts == "store", window=a.window,
                 overlap=a.overlap, progress=lambda s: print(s, file=sys.stderr))
    except llmz.Error as e:
        print(f"llmz ray_pack: {e}", file=sys.stderr)
        return e.code
    print(f"llmz ray_pack: {r['records']} records in {r['shards']} shards ({r['skipped']} reused) -> {a.output}, "
          f"{r['seconds']:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
