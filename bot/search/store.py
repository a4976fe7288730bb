"""The index folder: plain files plus a manifest checked on every load.

    manifest.json        format, corpus hash, model, model fingerprint, dim, counts,
                         and every file's size and sha256 (the freshness key is
                         format + corpus hash + model + model fingerprint)
    entries.jsonl        one Entry per line; row number = entry number
    vectors.faiss        IndexFlatIP over normalised chunk vectors (cosine)
    chunk_entry.npy      chunk row -> entry row
    bm25/                bm25s arrays and vocabulary (no pickle)
    query_encoder.onnx   the embedding model exported for fast queries
                         (none for an index built with a fake encoder)
    build.log            the last build's diagnostics (not part of the index)

Rules are not in the index: they are built at load time from the entries and
rules.yml, so editing rules.yml takes effect on the next load, with no rebuild.

This module loads and checks; bot/search/build.py builds. `ensure` joins
them: a missing, stale or damaged index is rebuilt in a child process (this
process never imports torch), under a file lock, so two processes never build
at once and a reader never loads a half-swapped folder.
"""

import fcntl
import hashlib
import io
import json
import os
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from typing import Any

import numpy as np

from bot.corpus import corpus_hash
from bot.errors import IndexError_
from bot.models import Entry
from bot.search import embed
from bot.search.keyword import Keyword
from bot.search.rules import Rule, build_rules

FORMAT = 4
MANIFEST = "manifest.json"
LOCK_FILE = ".lock"
BUILD_LOG = "build.log"
TMP_PREFIX = ".build-"
REQUIRED = ("entries.jsonl", "vectors.faiss", "chunk_entry.npy", "bm25/")  # "bm25/": at least one file in it
# Files above this are checked on load by size and a sampled hash, not a full
# one: hashing the 90 MB ONNX costs 0.2 s of a 0.9 s cold `ask`.
FULL_HASH_MAX = 8 * 1024 * 1024
_SAMPLES, _SAMPLE_BYTES = 64, 64 * 1024


@dataclass
class Index:
    folder: Path
    manifest: dict
    entries: list[Entry]
    vectors: Any  # faiss.Index (faiss ships no type hints)
    chunk_entry: np.ndarray
    keyword: Keyword
    rules: list[Rule]
    encoder: embed.Encoder  # the query encoder this index was built for


def is_fake(manifest: dict) -> bool:
    return str(manifest.get("model", "")).startswith(embed.FAKE_PREFIX)


def wanted_manifest(corpus_dir: Path) -> dict:
    """The freshness key: what an index for this corpus and model records."""
    model, fingerprint = embed.identity()
    return {"format": FORMAT, "corpus_hash": corpus_hash(corpus_dir), "model": model, "model_fingerprint": fingerprint}


# -- file records ---------------------------------------------------------------
def sha256_file(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def sampled_sha256(path: Path, size: int) -> str:
    """sha256 of 64 blocks of 64 KiB spread evenly over the file, plus its
    size: catches truncation and damaged regions for ~4 MB of reading."""
    h = hashlib.sha256(str(size).encode())
    with open(path, "rb") as f:
        for i in range(_SAMPLES):
            f.seek(max(0, (size - _SAMPLE_BYTES) * i // (_SAMPLES - 1)))
            h.update(f.read(_SAMPLE_BYTES))
    return h.hexdigest()


def file_record(path: Path) -> dict:
    size = path.stat().st_size
    rec = {"size": size, "sha256": sha256_file(path)}
    if size > FULL_HASH_MAX:
        rec["sampled_sha256"] = sampled_sha256(path, size)
    return rec


def file_records(folder: Path) -> dict[str, dict]:
    """Every file under `folder`, by path relative to it ("bm25/vocab.index.json")."""
    return {p.relative_to(folder).as_posix(): file_record(p) for p in sorted(folder.rglob("*")) if p.is_file()}


def _check_files(folder: Path, manifest: dict) -> dict[str, bytes]:
    """Size and hash of every recorded file; returns the small files' bytes,
    read once, so what was checked is what gets parsed."""
    files = manifest.get("files")
    if not isinstance(files, dict):
        raise IndexError_("its manifest lists no files")
    wanted = [*REQUIRED, *(() if is_fake(manifest) else (embed.ONNX_FILE,))]
    for name in wanted:
        if not any(n == name or (name.endswith("/") and n.startswith(name)) for n in files):
            raise IndexError_(f"its manifest does not list {name}")
    data: dict[str, bytes] = {}
    for name, rec in files.items():
        if name.startswith("/") or ".." in name.split("/"):
            raise IndexError_("its manifest names a file outside the index")
        path = folder / name
        try:
            size = path.stat().st_size
            if size != rec["size"]:
                raise IndexError_(f"{name} is damaged (truncated or replaced)")
            if "sampled_sha256" in rec:
                ok = sampled_sha256(path, size) == rec["sampled_sha256"]
            else:
                data[name] = path.read_bytes()
                ok = hashlib.sha256(data[name]).hexdigest() == rec["sha256"]
        except FileNotFoundError:
            raise IndexError_(f"{name} is missing") from None
        except (OSError, KeyError, TypeError) as exc:
            raise IndexError_(f"{name} is unreadable") from exc
        if not ok:
            raise IndexError_(f"{name} is damaged")
    return data


def _parse(name: str, fn):
    try:
        return fn()
    except IndexError_:
        raise
    except Exception as exc:  # any parse failure of a checked file means the same thing
        raise IndexError_(f"{name} is damaged") from exc


def _query_encoder(folder: Path, manifest: dict) -> embed.Encoder:
    if is_fake(manifest):
        fake = embed.fake_encoder()
        if fake is not None and embed.identity(fake)[0] == manifest["model"]:
            return fake
        return embed.MissingEncoder(manifest["model"])
    embed.model_dir()  # a missing model package is its own error, not a damaged file
    return _parse(embed.ONNX_FILE, lambda: embed.OnnxEncoder(folder / embed.ONNX_FILE))


def load(index_dir: Path) -> Index:
    """Load and check every file against the manifest, without any check of
    freshness. IndexError_ names the first damaged file, nothing more."""
    import faiss

    try:
        manifest = json.loads((index_dir / MANIFEST).read_text())
        if not isinstance(manifest, dict):
            raise ValueError
    except FileNotFoundError:
        raise IndexError_("there is no manifest") from None
    except (OSError, ValueError) as exc:
        raise IndexError_("its manifest is unreadable") from exc
    data = _check_files(index_dir, manifest)
    entries = _parse(
        "entries.jsonl", lambda: [Entry.model_validate_json(ln) for ln in data["entries.jsonl"].decode("utf-8").splitlines()]
    )
    vectors = _parse(
        "vectors.faiss", lambda: faiss.deserialize_index(np.frombuffer(data["vectors.faiss"], dtype=np.uint8).copy())
    )
    chunk_entry = _parse("chunk_entry.npy", lambda: np.load(io.BytesIO(data["chunk_entry.npy"]), allow_pickle=False))
    keyword = _parse("bm25/", lambda: Keyword.load(index_dir / "bm25"))
    if (
        vectors.ntotal != len(chunk_entry)
        or len(entries) != manifest.get("entries")
        or vectors.d != manifest.get("dim")
        or (len(chunk_entry) and int(chunk_entry.max()) >= len(entries))
        or keyword.num_docs != len(entries)
    ):
        raise IndexError_("its files disagree with each other")
    encoder = _query_encoder(index_dir, manifest)
    rules, _ = build_rules(entries)
    return Index(index_dir, manifest, entries, vectors, chunk_entry, keyword, rules, encoder)


def stale_reason(index_dir: Path, corpus_dir: Path) -> str | None:
    path = index_dir / MANIFEST
    if not path.exists():
        return "no index yet"
    try:
        have = json.loads(path.read_text())
        if not isinstance(have, dict):
            raise ValueError
    except (OSError, ValueError):
        return "its manifest is unreadable"
    for key, value in wanted_manifest(corpus_dir).items():
        if have.get(key) != value:
            return f"the {key.replace('_', ' ')} changed"
    return None


@contextmanager
def build_lock(index_dir: Path, log=None):
    """The one lock every build takes (ensure, `chsm index build`); yields
    the open lock file, which a child build inherits to keep it held."""
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        f = open(index_dir / LOCK_FILE, "a")
    except OSError as exc:
        raise IndexError_(f"cannot write the index folder {index_dir} ({exc.strerror or 'not writable'})") from exc
    with f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if log:
                log(f"chsm: waiting for another process to finish building the index in {index_dir}")
            fcntl.flock(f, fcntl.LOCK_EX)
        yield f


def child_env() -> dict:
    """The environment for a child `python -m bot.search...`: ours, with the
    folder of this very `bot` package first on its path."""
    import bot

    env = dict(os.environ)
    root = str(Path(bot.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    env["PYTHONIOENCODING"] = "utf-8"  # the log/error lines we read back
    return env


def run_build(corpus_dir: Path, index_dir: Path, lock, log) -> None:
    """`python -m bot.search.build` in a child process that inherits the held
    lock: torch and the 750 MB of a build stay out of this process, and the
    lock stays held while the child lives, even if this process dies."""
    cmd = [sys.executable, "-m", "bot.search.build", "--corpus", str(corpus_dir), "--out", str(index_dir), "--lock-held"]
    error = None
    with open(index_dir / BUILD_LOG, "ab") as errlog:
        try:
            proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=errlog,
                env=child_env(),
                encoding="utf-8",
                errors="replace",
                pass_fds=(lock.fileno(),),
            )
        except OSError as exc:
            raise IndexError_(f"could not start the build of the search index in {index_dir}") from exc
        try:
            assert proc.stdout is not None  # stdout=PIPE
            for line in proc.stdout:  # the child's protocol: "log\t..." and "error\t..." lines
                kind, _, msg = line.rstrip("\n").partition("\t")
                if kind == "log":
                    log(msg)
                elif kind == "error":
                    error = msg
            code = proc.wait()
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    if code != 0:
        raise IndexError_(error or f"building the search index in {index_dir} failed (details in {index_dir / BUILD_LOG})")


def ensure(corpus_dir: Path, index_dir: Path, log=None) -> Index:
    """The index for this corpus and model, built or rebuilt if it must be."""
    log = log or (lambda msg: print(msg, file=sys.stderr))
    reason = stale_reason(index_dir, corpus_dir)
    if reason is None:
        try:
            return load(index_dir)
        except IndexError_ as exc:
            reason = f"it is corrupt: {exc}"
    with build_lock(index_dir, log) as lock:
        # Another process may have built it while we waited for the lock.
        now = stale_reason(index_dir, corpus_dir)
        if now is None:
            try:
                return load(index_dir)
            except IndexError_ as exc:
                reason = f"it is corrupt: {exc}"
        else:
            reason = now
        log(f"chsm: building the search index in {index_dir} ({reason}); this can take a minute")
        run_build(corpus_dir, index_dir, lock, log)
        try:
            return load(index_dir)
        except IndexError_ as exc:
            raise IndexError_(f"the index just built in {index_dir} does not load: {exc}") from exc

