"""The Ray job on a local cluster: 1 and 2 workers give the same archive as `pack`, and a job that
lost a worker continues from the shards already done."""

import os

import pytest
import ray

import llmz
from llmz import ray_pack


@pytest.fixture(scope="module", autouse=True)
def local_cluster():
    yield
    if ray.is_initialized():
        ray.shutdown()


def run(records, out, model, work, workers, **kw):
    if ray.is_initialized():
        ray.shutdown()  # a fresh local cluster of this many CPUs
    return ray_pack.pack(str(records), str(out), model, str(work), workers=workers, shard_records=4,
                         progress=lambda s: None, **kw)


def test_one_and_two_workers_equal_pack(tiny, tiny_path, records, tmp_path):
    reference = tmp_path / "reference.llmza"
    llmz.pack(tiny, str(records), str(reference))
    for workers in (1, 2):
        out = tmp_path / f"ray{workers}.llmza"
        r = run(records, out, tiny_path, tmp_path / f"work{workers}", workers)
        assert r["shards"] == 3 and r["skipped"] == 0
        assert out.read_bytes() == reference.read_bytes(), f"{workers} workers"


def test_a_failed_worker_is_resumed(tiny_path, records, tmp_path, monkeypatch):
    work = tmp_path / "work"
    monkeypatch.setenv("LLMZ_RAY_FAIL_SHARD", "shard-000001.llmza")
    with pytest.raises(llmz.Error) as e:
        run(records, tmp_path / "out.llmza", tiny_path, work, 2)
    assert "shard 1" in str(e.value) and e.value.code == 3
    assert not (tmp_path / "out.llmza").exists()
    assert sorted(os.listdir(work)) == ["manifest.json", "shard-000000.llmza", "shard-000002.llmza"]
    monkeypatch.delenv("LLMZ_RAY_FAIL_SHARD")
    r = run(records, tmp_path / "out.llmza", tiny_path, work, 2)
    assert r["skipped"] == 2
    whole = tmp_path / "whole.llmza"
    run(records, whole, tiny_path, tmp_path / "fresh", 1)
    assert (tmp_path / "out.llmza").read_bytes() == whole.read_bytes()


def test_a_bad_line_is_named(tiny_path, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"prompt": "a", "response": "b"}\n{"prompt": "a"}\n')
    with pytest.raises(llmz.Error) as e:
        run(bad, tmp_path / "bad.llmza", tiny_path, tmp_path / "badwork", 1)
    assert "bad.jsonl:2" in str(e.value) and not (tmp_path / "bad.llmza").exists()
