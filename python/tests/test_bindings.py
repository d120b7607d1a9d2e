"""The Python bindings: compress/decompress with and without a context, inspect, errors with their
codes, and record archives written and read from Python."""

import json

import pytest

import llmz


def test_round_trip_with_context(tiny):
    text = "The river ran under the winter ice.".encode()
    packed = llmz.compress(tiny, text, context="Write about a river.")
    assert llmz.decompress(tiny, packed, context="Write about a river.") == text
    info = llmz.inspect(packed)
    assert info["format_version"] == 6 and info["has_context"] and info["original_size"] == len(text)
    assert info["mixing"] == "match,ngram,calibrate"


def test_mixing_parts(tiny):
    text = b"one two three four, one two three four, one two three four."
    plain = llmz.compress(tiny, text, mix="none")
    assert llmz.inspect(plain)["mixing"] == "none" and llmz.decompress(tiny, plain) == text
    with pytest.raises(llmz.Error) as e:
        llmz.compress(tiny, text, mix="bogus")
    assert e.value.code == 1 and "mixing part" in str(e.value)


def test_binary_and_empty_inputs(tiny):
    for data in (bytes(range(256)) * 3, b""):
        assert llmz.decompress(tiny, llmz.compress(tiny, data)) == data


def test_errors_carry_the_exit_code(tiny):
    packed = llmz.compress(tiny, b"some text here", context="a prompt")
    with pytest.raises(llmz.Error) as e:
        llmz.decompress(tiny, packed)  # the context is missing
    assert e.value.code == 1 and "context" in str(e.value)
    with pytest.raises(llmz.Error) as e:
        llmz.decompress(tiny, b"not an llmz file")
    assert e.value.code == 3
    with pytest.raises(llmz.Error) as e:
        llmz.Model("/nonexistent/model.gguf")
    assert e.value.code == 4


def test_archive_written_entry_by_entry_equals_pack(tiny, records, tmp_path):
    packed = tmp_path / "packed.llmza"
    llmz.pack(tiny, str(records), str(packed), jobs=2)
    by_entries = tmp_path / "entries.llmza"
    writer = llmz.ArchiveWriter(str(by_entries), tiny)
    for line in open(records):
        writer.add(llmz.code_record(tiny, line.strip()))
    assert not by_entries.exists()  # it appears only when finished
    writer.finish()
    assert writer.records == 12
    assert by_entries.read_bytes() == packed.read_bytes()

    reader = llmz.ArchiveReader(str(packed))
    assert len(reader) == 12 and reader.info["records"] == 12 and reader.info["stored_prompts"]
    originals = [json.loads(line) for line in open(records)]
    assert [json.loads(reader.record(tiny, i)) for i in range(len(reader))] == originals
    with pytest.raises(llmz.Error) as e:
        reader.record(tiny, 12)
    assert e.value.code == 1


def test_bad_records_are_refused(tiny):
    with pytest.raises(llmz.Error) as e:
        llmz.code_record(tiny, '{"prompt": "a"}')
    assert e.value.code == 1 and '"response"' in str(e.value)
    with pytest.raises(llmz.Error):
        llmz.code_record(tiny, "not json")
