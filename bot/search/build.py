"""Building the index folder (see bot/search/store.py for its files).

The model is exported to ONNX once (torch, in a child process, ~6 s plus
~5 s to import torch), and that one file encodes the documents here and the
queries when serving: a build with the export at hand never loads torch, and
queries and documents come from the very same graph. The export is made once
per model fingerprint and reused: first the previous index's file, then a
cache folder ($CHSM_CACHE_DIR, else $XDG_CACHE_HOME/chsm-bot, else
~/.cache/chsm-bot), each verified by size and sha256 before use.

Every build holds the index's file lock (store.build_lock): `ensure` runs
`python -m bot.search.build --lock-held` in a child that inherits its lock,
and `chsm index build` calls build() here, which takes the lock itself.

A test passes `encoder=` (anything with `encode(texts)` and a `name`, see
embed.Encoder): no torch, no ONNX file, milliseconds.
"""

import argparse
import fcntl
import json
import os
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from bot import cores
from bot.corpus import corpus_hash, load_corpus
from bot.corpus.text import plain
from bot.errors import ChsmError, IndexError_
from bot.models import Entry
from bot.search import embed, provenance, store
from bot.search.keyword import Keyword
from bot.search.rules import build_rules

CHUNK_WORDS = 120
CHUNK_OVERLAP = 30
EXPORT_VERSION = 2  # bump when _export changes what it writes: cached exports are keyed by it
CACHE_ENV = "CHSM_CACHE_DIR"
_SWAPPED = ("entries.jsonl", "vectors.faiss", "chunk_entry.npy", "bm25", embed.ONNX_FILE)


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


# -- the model on sentence-transformers (torch): the source of the export ------------
def load_reference():
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()

    return SentenceTransformer(str(embed.model_dir()), device="cpu")


# -- the ONNX query encoder: exported once per model, cached ------------------------
def cache_dir() -> Path:
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "chsm-bot"


def onnx_key() -> str:
    return f"{embed.model_fingerprint()}-x{EXPORT_VERSION}"


def export_onnx(out: Path, errlog: Path | None = None) -> None:
    """Export in a child process, before the caller loads torch: tracing costs
    ~370 MB on top of the model, and a process of its own keeps the build's
    peak RSS down. Its stderr goes to `errlog` (the index's build.log)."""
    with open(errlog, "ab") if errlog else open(os.devnull, "wb") as err:
        proc = subprocess.run(
            [sys.executable, "-m", "bot.search.build", "--export-onnx", str(out)],
            stdin=subprocess.DEVNULL, stdout=err, stderr=err, env=store.child_env(),
        )
    if proc.returncode != 0 or not out.is_file():
        raise IndexError_("exporting the query encoder failed" + (f" (details in {errlog})" if errlog else ""))


def _export(out: Path) -> None:
    """The transformer plus mean pooling and L2 norm, as one ONNX graph, with
    sentence-transformers' own vectors of embed.PROBES in its metadata."""
    import warnings

    import onnx
    import torch

    reference = load_reference()
    pooling = reference[1].get_config_dict().get("pooling_mode")
    if pooling != "mean":  # the graph below pools as the packaged model does
        raise IndexError_(f"the model pools by {pooling!r}; the ONNX export knows only mean pooling")

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

    wrapped = Pooled(reference[0].auto_model.eval())
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
    probes = reference.encode(list(embed.PROBES), normalize_embeddings=True, show_progress_bar=False)
    graph = onnx.load(str(out))
    onnx.helper.set_model_props(graph, {embed.PROBE_META: json.dumps(probes.astype(float).round(7).tolist())})
    onnx.save(graph, str(out))


@contextmanager
def _flock(path: Path):
    with open(path, "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        yield


def _matches(path: Path, rec: dict) -> bool:
    try:
        return path.stat().st_size == rec["size"] and store.sha256_file(path) == rec["sha256"]
    except (OSError, KeyError, TypeError):
        return False


def cached_query_encoder(log=print, errlog: Path | None = None) -> tuple[Path, bool]:
    """The ONNX export for this model in the cache folder, verified against
    its recorded size and sha256, exported (once, under a lock) when missing
    or damaged. Returns (path, whether it was exported now). OSError when the
    cache folder cannot be written."""
    key = onnx_key()
    folder = cache_dir() / "onnx"
    folder.mkdir(parents=True, exist_ok=True)
    path, side = folder / f"{key}.onnx", folder / f"{key}.json"
    with _flock(folder / f"{key}.lock"):
        try:
            rec = json.loads(side.read_text())
        except (OSError, ValueError):
            rec = None
        if isinstance(rec, dict) and _matches(path, rec):
            return path, False
        if path.exists():
            log("note: the cached query encoder was damaged; exporting it again")
        for old in folder.glob(f"{key}.onnx.tmp-*"):  # an export killed midway (we hold its lock)
            old.unlink(missing_ok=True)
        tmp = folder / f"{key}.onnx.tmp-{os.getpid()}"
        try:
            export_onnx(tmp, errlog)
            rec = {"key": key, **store.file_record(tmp)}
            tmp.replace(path)
            side_tmp = side.with_name(side.name + f".tmp-{os.getpid()}")
            side_tmp.write_text(json.dumps(rec) + "\n")
            side_tmp.replace(side)
        finally:
            tmp.unlink(missing_ok=True)
    return path, True


def _place_query_encoder(dest: Path, index_dir: Path, log, errlog: Path) -> dict:
    """Put this model's ONNX export at `dest`: the previous index's file if it
    was made for this model and is intact, else the cache's, else a new export."""
    key = onnx_key()
    src = index_dir / embed.ONNX_FILE
    try:
        prev = json.loads((index_dir / store.MANIFEST).read_text())
        if prev["query_encoder"]["key"] == key and _matches(src, prev["files"][embed.ONNX_FILE]):
            try:
                os.link(src, dest)  # the old name is replaced by rename at the swap, so nothing shares it after
            except OSError:
                shutil.copyfile(src, dest)
            return {"key": key, "from": "previous index"}
    except (OSError, ValueError, KeyError, TypeError):
        pass
    try:
        path, exported = cached_query_encoder(log, errlog)
        shutil.copyfile(path, dest)  # a copy: damage to the index's file never reaches the cache
        return {"key": key, "from": "export" if exported else "cache"}
    except OSError:  # no writable cache: export straight into this build
        export_onnx(dest, errlog)
        return {"key": key, "from": "export"}


# -- the build -------------------------------------------------------------------------
def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def _remove_stale_temp(index_dir: Path, log) -> None:
    """Temp folders of builds that were killed: every build holds the lock, so
    any `.build-*` present before ours is older than us and dead."""
    stale = list(index_dir.glob(store.TMP_PREFIX + "*"))
    for p in stale:
        if p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)
    if stale:
        log(f"note: removed {len(stale)} unfinished build folder(s) left by an interrupted build")


def _checked(vecs, n: int) -> np.ndarray:
    vecs = np.ascontiguousarray(vecs, dtype=np.float32)
    if (
        vecs.ndim != 2
        or vecs.shape[0] != n
        or not np.isfinite(vecs).all()
        or not np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-3)
    ):
        raise IndexError_("the encoder returned vectors of the wrong shape or not of unit length")
    return vecs


def build(corpus_dir: Path, index_dir: Path, encoder: embed.Encoder | None = None, log=print, *, lock: bool = True) -> dict:
    """Build the index for this corpus into `index_dir` and return its
    manifest. `encoder`: a document encoder in place of the packaged model
    (default: $CHSM_FAKE_ENCODER, else the packaged model). `lock=False` only
    when the caller already holds store.build_lock for `index_dir`."""
    if lock:
        with store.build_lock(index_dir, log):
            return _build_or_explain(corpus_dir, index_dir, encoder, log)
    return _build_or_explain(corpus_dir, index_dir, encoder, log)


def _build_or_explain(corpus_dir: Path, index_dir: Path, encoder, log) -> dict:
    """A failure the user can act on is a ChsmError with its own words; any
    other is one line pointing at build.log, which gets the traceback."""
    try:
        return _build(corpus_dir, index_dir, encoder, log)
    except ChsmError:
        raise
    except Exception as exc:
        import traceback

        errlog = index_dir / store.BUILD_LOG
        try:
            with open(errlog, "a", encoding="utf-8") as f:
                traceback.print_exc(file=f)
        except OSError:
            pass
        raise IndexError_(f"building the search index in {index_dir} failed (details in {errlog})") from exc


def _build(corpus_dir: Path, index_dir: Path, encoder, log) -> dict:
    import faiss

    t0 = time.perf_counter()
    index_dir.mkdir(parents=True, exist_ok=True)
    _remove_stale_temp(index_dir, log)
    errlog = index_dir / store.BUILD_LOG
    errlog.write_bytes(b"")  # this build's diagnostics only
    encoder = encoder if encoder is not None else embed.fake_encoder()
    model, fingerprint = embed.identity(encoder)
    chash = corpus_hash(corpus_dir)  # before reading: a corpus edited mid-build reads as stale next time
    entries = load_corpus(corpus_dir)
    _, warnings = build_rules(entries)
    if warnings:  # normal for a corpus without the Microsoft docs; say it once
        log(f"note: {len(warnings)} curated rule(s) name entries not in this corpus and are skipped")
    texts, owners = [], []
    for row, e in enumerate(entries):
        for t in chunk_texts(e):
            texts.append(t)
            owners.append(row)
    tmp = index_dir / f"{store.TMP_PREFIX}{os.getpid()}-{int(time.time() * 1000)}"
    tmp.mkdir()
    try:
        query_encoder = None
        if encoder is None:
            # First: the export (if any) runs before this process loads torch.
            query_encoder = _place_query_encoder(tmp / embed.ONNX_FILE, index_dir, log, errlog)
            encoder = embed.OnnxEncoder(tmp / embed.ONNX_FILE, threads=cores())
            agreement = encoder.agreement()
            if agreement < embed.AGREEMENT:
                raise IndexError_(
                    f"the ONNX export in {cache_dir() / 'onnx'} does not encode as the model does "
                    f"(cosine {agreement:.4f}); remove that folder and build again"
                )
            query_encoder["agreement"] = round(agreement, 6)
        vecs = _checked(encoder.encode(texts), len(texts))
        with open(tmp / "entries.jsonl", "w", encoding="utf-8") as f:
            for e in entries:
                f.write(e.model_dump_json() + "\n")
        flat = faiss.IndexFlatIP(vecs.shape[1])
        flat.add(vecs)
        faiss.write_index(flat, str(tmp / "vectors.faiss"))
        np.save(tmp / "chunk_entry.npy", np.asarray(owners, dtype=np.int32))
        Keyword.build([keyword_text(e) for e in entries]).save(tmp / "bm25")
        manifest = {
            "format": store.FORMAT,
            "corpus_hash": chash,
            "model": model,
            "model_fingerprint": fingerprint,
            "dim": int(vecs.shape[1]),
            "entries": len(entries),
            "chunks": len(texts),
            "query_encoder": query_encoder,
            # Half a second (reading every installed package's metadata), so only
            # for the packaged model: the index that can be reused.
            "built_by": provenance.built_by() if query_encoder else None,
            "files": store.file_records(tmp),
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "build_seconds": round(time.perf_counter() - t0, 1),
        }
        (tmp / store.MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        # The swap: readers see "no index yet" until the new manifest is in place.
        (index_dir / store.MANIFEST).unlink(missing_ok=True)
        for name in _SWAPPED:
            src, dest = tmp / name, index_dir / name
            if src.is_dir() or not src.exists() or dest.is_dir():
                _remove(dest)  # a folder cannot be renamed over; a file this build lacks goes
            if src.exists():
                src.replace(dest)
        (tmp / store.MANIFEST).replace(index_dir / store.MANIFEST)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return manifest


def main(argv: list[str] | None = None) -> int:
    """The child `store.ensure` runs. stdout carries "log\\t..." and one
    "error\\t..." line for the parent; stderr (tracebacks, library noise)
    goes to the index's build.log."""
    p = argparse.ArgumentParser(prog="python -m bot.search.build")
    p.add_argument("--corpus", type=Path)
    p.add_argument("--out", type=Path)
    p.add_argument("--lock-held", action="store_true", help="the parent holds the index lock (store.ensure)")
    p.add_argument("--export-onnx", type=Path, metavar="FILE", help="only export the ONNX query encoder to FILE")
    args = p.parse_args(argv)
    if args.export_onnx:
        _export(args.export_onnx)
        return 0
    if not (args.corpus and args.out):
        p.error("--corpus and --out are required")

    def say(kind: str, msg) -> None:
        print(f"{kind}\t{' '.join(str(msg).split())}", flush=True)

    try:
        build(args.corpus, args.out, log=lambda m: say("log", m), lock=not args.lock_held)
    except ChsmError as exc:
        say("error", exc)
        return 1
    except Exception:  # not from the build itself (that says ChsmError): still one line
        import traceback

        traceback.print_exc()  # stderr is the index's build.log
        say("error", f"building the search index in {args.out} failed (details in {args.out / store.BUILD_LOG})")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
