"""Models for the Python tests: the test suite's tiny random model (ctest's make_tiny_models) and the
set-up's SmolLM2, from the same environment variables the C++ tests use."""

import os

import pytest

import llmz


@pytest.fixture(scope="session")
def tiny_path():
    return os.environ["LLMZ_TINY_MODEL"]


@pytest.fixture(scope="session")
def tiny(tiny_path):
    return llmz.Model(tiny_path, threads=1)


@pytest.fixture
def records(tmp_path):
    """Twelve prompt/response records, some with other fields."""
    import json
    import random

    rng = random.Random(3)
    words = "the river ran under winter ice while Alice said nothing to the queen of hearts".split()
    path = tmp_path / "records.jsonl"
    with open(path, "w") as f:
        for i in range(12):
            rec = {"prompt": "Write about " + " ".join(rng.choice(words) for _ in range(4)),
                   "response": " ".join(rng.choice(words) for _ in range(rng.randint(10, 30)))}
            if i % 4 == 0:
                rec = {"id": i, **rec}
            f.write(json.dumps(rec) + "\n")
    return path
