"""The index folder: plain files plus a manifest checked on every load.

    manifest.json        format, corpus hash, rules hash, model fingerprint, dim, counts
    entries.jsonl        one Entry per line; row number = entry number
    vectors.faiss        IndexFlatIP over normalised chunk vectors (cosine)
    chunk_entry.npy      chunk row -> entry row
    bm25/                bm25s arrays and vocabulary (no pickle)
    query_encoder.onnx   the embedding model exported for fast queries

A missing, stale or corrupt index is rebuilt by whoever needs it, under a
file lock so two processes never build at once.
"""

import fcntl
import json
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.corpus import corpus_hash, load_corpus
from bot.corpus.text import plain
from bot.errors import IndexError_
from bot.models import Entry
from bot.search import embed
from bot.search.keyword import Keyword
from bot.search.rules import Rule, build_rules, rules_hash

FORMAT = 3
CHUNK_WORDS = 120
CHUNK_OVERLAP = 30
_FILES = ("entries.jsonl", "vectors.faiss", "chunk_entry.npy", "bm25", embed.ONNX_FILE)


@dataclass
class Index:
    folder: Path
    manifest: dict
    entries: list[Entry]
    vectors: object  # faiss.Index
    chunk_entry: np.ndarray
    keyword: Keyword
    rules: list[Rule]


def wanted_manifest(corpus_dir: Path) -> dict:
    return {
        "format": FORMAT,
        "corpus_hash": corpus_hash(corpus_dir),
        "rules_hash": rules_hash(),
        "model": embed.MODEL_NAME,
        "model_fingerprint": embed.model_fingerprint(),
    }


def chunk_texts(entry: Entry) -> list[str]:
    """A title vector, then the body in overlapping windows, each prefixed with
    its heading path: MiniLM reads 256 tokens, so long sections are cut."""
    texts = [entry.context]
    words = (plain(entry.fix) + " " + " ".join(entry.errors)).split()
    step = CHUNK_WORDS - CHUNK_OVERLAP
    for start in range(0, max(len(words) - CHUNK_OVERLAP, 1), step):
        piece = " ".join(words[start : start + CHUNK_WORDS])
        if piece:
            texts.append(f"{entry.context}: {piece}")
    return texts


def keyword_text(entry: Entry) -> str:
    # The title twice: a heading says what the entry is about better than its body.
    return "\n".join([entry.title, entry.title, entry.section, plain(entry.fix), *entry.errors, *entry.commands])


def build(corpus_dir: Path, index_dir: Path, log=print) -> dict:
    import faiss

    t0 = time.perf_counter()
    entries = load_corpus(corpus_dir)
    _, warnings = build_rules(entries)
    if warnings:  # normal for a corpus without the Microsoft docs; say it once
        log(f"note: {len(warnings)} curated rule(s) name entries not in this corpus and are skipped")
    texts, owners = [], []
    for row, e in enumerate(entries):
        for t in chunk_texts(e):
            texts.append(t)
            owners.append(row)
    index_dir.mkdir(parents=True, exist_ok=True)
    tmp = index_dir / f".build-{int(time.time() * 1000)}"
    tmp.mkdir()
    try:
        embed.export_onnx(tmp / embed.ONNX_FILE)  # first: before this process loads torch
        vecs = embed.encode_reference(embed.load_reference(), texts)
        with open(tmp / "entries.jsonl", "w", encoding="utf-8") as f:
            for e in entries:
                f.write(e.model_dump_json() + "\n")
        flat = faiss.IndexFlatIP(vecs.shape[1])
        flat.add(vecs)
        faiss.write_index(flat, str(tmp / "vectors.faiss"))
        np.save(tmp / "chunk_entry.npy", np.asarray(owners, dtype=np.int32))
        Keyword.build([keyword_text(e) for e in entries]).save(tmp / "bm25")
        manifest = wanted_manifest(corpus_dir) | {
            "dim": int(vecs.shape[1]),
            "entries": len(entries),
            "chunks": len(texts),
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "build_seconds": round(time.perf_counter() - t0, 1),
        }
        (index_dir / "manifest.json").unlink(missing_ok=True)  # readers see "missing" mid-swap
        for name in _FILES:
            dest = index_dir / name
            if dest.is_dir():
                shutil.rmtree(dest)
            (tmp / name).replace(dest)
        (index_dir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return manifest


def load(index_dir: Path) -> Index:
    """Load without any check of freshness; IndexError_ if unreadable."""
    import faiss

    try:
        manifest = json.loads((index_dir / "manifest.json").read_text())
        entries = [
            Entry.model_validate_json(line)
            for line in (index_dir / "entries.jsonl").read_text(encoding="utf-8").splitlines()
        ]
        vectors = faiss.read_index(str(index_dir / "vectors.faiss"))
        chunk_entry = np.load(index_dir / "chunk_entry.npy", allow_pickle=False)
        keyword = Keyword.load(index_dir / "bm25")
        if not (index_dir / embed.ONNX_FILE).is_file():
            raise ValueError(f"{embed.ONNX_FILE} missing")
    except Exception as exc:  # any unreadable part means the same thing: rebuild
        raise IndexError_(f"{type(exc).__name__}: {str(exc)[:200]}") from exc
    if (
        vectors.ntotal != len(chunk_entry)
        or len(entries) != manifest.get("entries")
        or vectors.d != manifest.get("dim")
        or (len(chunk_entry) and int(chunk_entry.max()) >= len(entries))
        or keyword.retriever.scores["num_docs"] != len(entries)
    ):
        raise IndexError_("its files disagree with each other")
    rules, _ = build_rules(entries)
    return Index(index_dir, manifest, entries, vectors, chunk_entry, keyword, rules)


def _stale_reason(index_dir: Path, corpus_dir: Path) -> str | None:
    path = index_dir / "manifest.json"
    if not path.exists():
        return "no index yet"
    try:
        have = json.loads(path.read_text())
    except ValueError:
        return "its manifest is unreadable"
    for key, value in wanted_manifest(corpus_dir).items():
        if have.get(key) != value:
            return f"the {key.replace('_', ' ')} changed"
    return None


def ensure(corpus_dir: Path, index_dir: Path, log=None) -> Index:
    """The index for this corpus and model, built or rebuilt if it must be."""
    log = log or (lambda msg: print(msg, file=sys.stderr))
    reason = _stale_reason(index_dir, corpus_dir)
    if reason is None:
        try:
            return load(index_dir)
        except IndexError_ as exc:
            reason = f"it is corrupt ({exc})"
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        lock = open(index_dir / ".lock", "w")
    except OSError as exc:
        raise IndexError_(f"cannot write the index folder {index_dir}: {exc.strerror}") from exc
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        # Another process may have built it while we waited for the lock.
        if _stale_reason(index_dir, corpus_dir) is None:
            try:
                return load(index_dir)
            except IndexError_:
                pass
        log(f"chsm: building the search index in {index_dir} ({reason}); this takes about a minute")
        build(corpus_dir, index_dir, log=log)
    return load(index_dir)
