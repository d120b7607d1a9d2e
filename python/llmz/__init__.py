"""llmz: lossless compression with a language model's next-token probabilities.

    import llmz
    model = llmz.Model("models/SmolLM2-135M-Instruct.Q8_0.gguf")
    packed = llmz.compress(model, b"some text", context="the prompt")
    assert llmz.decompress(model, packed, context="the prompt") == b"some text"

Record archives (.llmza): llmz.pack(model, "records.jsonl", "corpus.llmza"), llmz.ArchiveReader,
llmz.ArchiveWriter with llmz.code_record, llmz.merge. A corpus on a Ray cluster: llmz.ray_pack.
Every failure raises llmz.Error (its .code is the CLI's exit code).
"""

from llmz._errors import Error
from llmz._llmz import (
    ArchiveReader,
    ArchiveWriter,
    Model,
    code_record,
    compress,
    compute_id,
    decompress,
    inspect,
    merge,
    pack,
    use_compute,
)

__all__ = [
    "ArchiveReader",
    "ArchiveWriter",
    "Error",
    "Model",
    "code_record",
    "compress",
    "compute_id",
    "decompress",
    "inspect",
    "merge",
    "pack",
    "use_compute",
]
