"""Missing, stale and damaged indexes rebuild themselves with a one-line note;
builds run in a child process under one lock, and never in a serving process.

Most tests use the fake encoder (tests/fakes.py) and build in this process in
milliseconds; the `slow` ones spawn real processes or use the real model.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from fakes import (
    HashEncoder,
    ExplodingEncoder,
    session_cache,
    tiny_index,
    use_fake_encoder,
    write_tiny_corpus,
)

from bot.errors import IndexError_
from bot.search import build, embed, rules, store
from bot.search.engine import Engine

ROOT = Path(__file__).resolve().parent.parent
ERROR_NAME = re.compile(r"\b[A-Z]\w*(Error|Exception)\b|Traceback")


@pytest.fixture(autouse=True)
def _cache(monkeypatch, tmp_path_factory):
    monkeypatch.setenv("CHSM_CACHE_DIR", str(session_cache(tmp_path_factory)))
    monkeypatch.delenv("CHSM_FAKE_ENCODER", raising=False)


@pytest.fixture
def fake(monkeypatch, tmp_path):
    """A tiny corpus and where its index goes; ensure builds in-process with the fake encoder."""
    use_fake_encoder(monkeypatch, in_process=True)
    return write_tiny_corpus(tmp_path / "corpus"), tmp_path / "index"


def _building(said: list[str]) -> list[str]:
    return [s for s in said if "building the search index" in s]


def test_missing_then_fresh_then_stale_corpus(fake):
    corpus, index = fake
    said = []
    idx = store.ensure(corpus, index, log=said.append)
    [note] = _building(said)
    assert "no index yet" in note and len(idx.entries) == 4

    said.clear()
    store.ensure(corpus, index, log=said.append)
    assert said == []  # fresh: loaded, not rebuilt

    (corpus / "more.md").write_text("# More\n\n## Network\n\nThe port is closed: open 2225.\n", encoding="utf-8")
    idx = store.ensure(corpus, index, log=said.append)
    assert any("corpus hash changed" in s for s in said) and len(idx.entries) == 5


def test_manifest_records_every_file_and_no_rules(fake):
    corpus, index = fake
    idx = store.ensure(corpus, index, log=lambda s: None)
    m = idx.manifest
    assert "rules_hash" not in m and m["model"] == "fake:hashed-bow-384" and m["query_encoder"] is None
    assert set(m["files"]) == {p.relative_to(index).as_posix() for p in (index / "bm25").iterdir()} | {
        "entries.jsonl", "vectors.faiss", "chunk_entry.npy"
    }
    for name, rec in m["files"].items():
        assert rec["size"] == (index / name).stat().st_size and len(rec["sha256"]) == 64
    assert not (index / embed.ONNX_FILE).exists()  # a fake-encoder index has no ONNX file


def _add_curated_rule(monkeypatch):
    real = rules.load_curated

    def edited(*a, **kw):  # as if rules.yml gained a rule; the real file is never touched
        return [*real(*a, **kw), {"name": "disk-full-test", "pattern": r"no space left on device", "entry": "log volume is full"}]

    monkeypatch.setattr(rules, "load_curated", edited)


@pytest.mark.parametrize("what,rebuilds", [("model fingerprint", True), ("rules.yml", False)])
def test_model_or_rules_change_rebuilds(fake, monkeypatch, what, rebuilds):
    corpus, index = fake
    store.ensure(corpus, index, log=lambda s: None)
    if what == "model fingerprint":
        use_fake_encoder(monkeypatch, "HashEncoderV2", in_process=True)  # same name, new fingerprint
    else:
        _add_curated_rule(monkeypatch)
    said = []
    idx = store.ensure(corpus, index, log=said.append)
    if rebuilds:
        assert any("the model fingerprint changed" in s for s in said)
        assert idx.manifest["model_fingerprint"] == "fake:hashed-bow-384-v2"
    else:
        assert said == []  # rules are built at load time: no rebuild...
        hits = rules.match(idx.rules, "write failed: No space left on device")
        assert [idx.entries[[e.id for e in idx.entries].index(h.entry)].title for h in hits] == ["The log volume is full"]
    said.clear()
    store.ensure(corpus, index, log=said.append)
    assert said == []  # and fresh again afterwards


def _truncate(p: Path):
    p.write_bytes(p.read_bytes()[: p.stat().st_size // 2])


def _flip(p: Path):  # same size, one byte changed: only the hash can tell
    b = bytearray(p.read_bytes())
    b[len(b) // 2] ^= 0x55
    p.write_bytes(bytes(b))


DAMAGE = {"truncated": _truncate, "flipped": _flip, "deleted": Path.unlink}


@pytest.mark.parametrize("damage", DAMAGE)
@pytest.mark.parametrize(
    "name", ["entries.jsonl", "vectors.faiss", "chunk_entry.npy", "bm25/vocab.index.json", "bm25/data.csc.index.npy"]
)
def test_damaged_file_is_rebuilt_with_a_note(fake, name, damage):
    corpus, index = fake
    store.ensure(corpus, index, log=lambda s: None)
    DAMAGE[damage](index / name)
    said = []
    idx = store.ensure(corpus, index, log=said.append)
    [note] = _building(said)
    assert "corrupt" in note and name in note and "\n" not in note
    assert not ERROR_NAME.search(note) and str(ROOT) not in note  # no exception text, no internal paths
    assert len(idx.entries) == 4 and idx.vectors.ntotal == idx.manifest["chunks"]
    said.clear()
    store.ensure(corpus, index, log=said.append)
    assert said == []


@pytest.mark.parametrize(
    "damage,expect",
    [
        (lambda i: (i / "manifest.json").write_text("{broken"), "manifest is unreadable"),
        (lambda i: (i / "manifest.json").write_text('{"format": 4}'), "corpus hash changed"),
        (lambda i: __import__("shutil").rmtree(i / "bm25"), "bm25/"),
        (lambda i: (i / "entries.jsonl").write_text('{"not": "an entry"}\n' * 4), "entries.jsonl"),
    ],
    ids=["manifest-garbage", "manifest-partial", "bm25-folder-gone", "entries-rewritten"],
)
def test_other_damage_is_rebuilt(fake, damage, expect):
    corpus, index = fake
    store.ensure(corpus, index, log=lambda s: None)
    damage(index)
    said = []
    idx = store.ensure(corpus, index, log=said.append)
    [note] = _building(said)
    assert expect in note and len(idx.entries) == 4


def test_files_that_disagree_are_caught(fake):
    """Each file intact and hashed, but from different builds (a half swap)."""
    corpus, index = fake
    store.ensure(corpus, index, log=lambda s: None)
    m = json.loads((index / "manifest.json").read_text())
    np.save(index / "chunk_entry.npy", np.zeros(3, dtype=np.int32))
    m["files"]["chunk_entry.npy"] = store.file_record(index / "chunk_entry.npy")
    (index / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(IndexError_, match="disagree"):
        store.load(index)


def test_large_files_are_checked_by_a_sampled_hash(fake):
    """Files over 8 MB (the 90 MB ONNX) are not fully hashed on load: size plus
    64 sampled blocks catch truncation and any damaged region of ~1.5 MB."""
    corpus, index = fake
    store.ensure(corpus, index, log=lambda s: None)
    big = index / "big.bin"
    big.write_bytes(np.random.default_rng(0).bytes(20 << 20))
    m = json.loads((index / "manifest.json").read_text())
    m["files"]["big.bin"] = store.file_record(big)
    assert "sampled_sha256" in m["files"]["big.bin"]
    (index / "manifest.json").write_text(json.dumps(m))
    store.load(index)
    with open(big, "r+b") as f:  # 2 MB of zeros in the middle, same size
        f.seek(9 << 20)
        f.write(b"\0" * (2 << 20))
    with pytest.raises(IndexError_, match="big.bin is damaged"):
        store.load(index)


def test_stale_temp_folders_are_removed_by_the_next_build(fake):
    corpus, index = fake
    store.ensure(corpus, index, log=lambda s: None)
    (index / ".build-123-456").mkdir()
    (index / ".build-123-456" / "query_encoder.onnx").write_bytes(b"\0" * 1000)
    (index / ".build-789-000").write_bytes(b"x")
    (index / "entries.jsonl").unlink()
    said = []
    store.ensure(corpus, index, log=said.append)
    assert any("removed 2 unfinished build folder(s)" in s for s in said)
    assert list(index.glob(".build-*")) == []


def test_a_failed_build_says_one_line_and_leaves_no_temp_folder(tmp_path):
    corpus, index = write_tiny_corpus(tmp_path / "corpus"), tmp_path / "index"
    with pytest.raises(IndexError_) as err:  # in-process, as `chsm index build` runs it
        build.build(corpus, index, encoder=ExplodingEncoder(), log=lambda s: None)
    assert str(err.value) == f"building the search index in {index} failed (details in {index / 'build.log'})"
    assert "secret internal detail" in (index / "build.log").read_text()
    assert list(index.glob(".build-*")) == []


def test_a_reader_during_the_swap_waits_and_never_builds(fake):
    """`chsm index build` holds the lock while it swaps files: an `ask` that
    finds no manifest waits for it, then loads what it built."""
    corpus, index = fake
    store.ensure(corpus, index, log=lambda s: None)
    said, out = [], {}
    with store.build_lock(index):
        (index / "manifest.json").unlink()  # mid-swap: readers see "no index yet"
        reader = threading.Thread(target=lambda: out.setdefault("idx", store.ensure(corpus, index, log=said.append)))
        reader.start()
        time.sleep(0.5)
        assert reader.is_alive() and any("waiting for another process" in s for s in said)
        build.build(corpus, index, log=lambda s: None, lock=False)  # the holder finishes its build
    reader.join(10)
    assert not reader.is_alive() and _building(said) == [] and len(out["idx"].entries) == 4


def test_fake_index_engine_takes_the_encoder(tmp_path):
    corpus, index = tiny_index(tmp_path)
    idx = store.load(index)
    engine = Engine(idx, encoder=HashEncoder())
    assert engine.ask("my disk is full of old logs").answers[0].title == "The log volume is full"
    with pytest.raises(IndexError_, match="test encoder"):  # no encoder named: a clear error, not a crash
        idx.encoder.encode(["x"])


# -- real processes ----------------------------------------------------------------------
ENSURE = """
import json, os, sys, time
from pathlib import Path
corpus, index, go = map(Path, sys.argv[1:4])
Path(f"{go}.{os.getpid()}").touch()
while not go.exists():
    time.sleep(0.01)
from bot.search import store
said = []
idx = store.ensure(corpus, index, log=said.append)
print(json.dumps({"said": said, "entries": len(idx.entries), "built_at": idx.manifest["built_at"]}))
"""


def _python(*args, env=None, **kw):
    return subprocess.Popen(
        [sys.executable, *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, **(env or {})}, **kw,
    )


@pytest.mark.slow
def test_two_processes_calling_ensure_build_once(monkeypatch, tmp_path):
    use_fake_encoder(monkeypatch, "SlowHashEncoder")  # each build takes 2 s: the two really overlap
    corpus, index, go = write_tiny_corpus(tmp_path / "corpus"), tmp_path / "index", tmp_path / "go"
    procs = [_python("-c", ENSURE, str(corpus), str(index), str(go)) for _ in range(2)]
    deadline = time.monotonic() + 60
    while len(list(tmp_path.glob("go.*"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    go.touch()
    outs = []
    for p in procs:
        stdout, stderr = p.communicate(timeout=120)
        assert p.returncode == 0, stderr
        outs.append(json.loads(stdout))
    said = [s for o in outs for s in o["said"]]
    assert len(_building(said)) == 1, said
    assert sum("waiting for another process" in s for s in said) == 1, said
    assert outs[0]["built_at"] == outs[1]["built_at"] and outs[0]["entries"] == 4


@pytest.mark.slow
def test_a_killed_build_leaves_a_temp_folder_the_next_build_removes(monkeypatch, tmp_path):
    use_fake_encoder(monkeypatch, "SlowHashEncoder")
    corpus, index = write_tiny_corpus(tmp_path / "corpus"), tmp_path / "index"
    p = _python("-m", "bot.search.build", "--corpus", str(corpus), "--out", str(index))
    deadline = time.monotonic() + 60
    while not list(index.glob(".build-*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(p.pid, signal.SIGKILL)  # mid-build: no finally runs
    p.wait()
    assert len(list(index.glob(".build-*"))) == 1
    use_fake_encoder(monkeypatch, in_process=True)
    said = []
    store.ensure(corpus, index, log=said.append)
    assert any("removed 1 unfinished build folder(s)" in s for s in said)
    assert list(index.glob(".build-*")) == []


@pytest.mark.slow
def test_a_failing_child_build_says_one_line_without_internals(monkeypatch, tmp_path):
    use_fake_encoder(monkeypatch, "ExplodingEncoder")
    corpus, index = write_tiny_corpus(tmp_path / "corpus"), tmp_path / "index"
    with pytest.raises(IndexError_) as err:
        store.ensure(corpus, index, log=lambda s: None)
    msg = str(err.value)
    assert "\n" not in msg and str(index) in msg and "build.log" in msg
    assert "secret internal" not in msg and "/opt/private" not in msg and not ERROR_NAME.search(msg)
    assert "secret internal detail" in (index / "build.log").read_text()  # the details are kept for whoever debugs
    assert list(index.glob(".build-*")) == []


@pytest.mark.slow
def test_index_build_command_takes_the_same_lock(monkeypatch, tmp_path):
    use_fake_encoder(monkeypatch)
    corpus, index = write_tiny_corpus(tmp_path / "corpus"), tmp_path / "index"
    chsm = str(Path(sys.executable).with_name("chsm"))
    err: list[str] = []
    with store.build_lock(index):
        p = subprocess.Popen(
            [chsm, "index", "build", "--corpus", str(corpus), "--out", str(index)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
        )
        reader = threading.Thread(target=lambda: [err.append(line) for line in p.stderr], daemon=True)
        reader.start()
        deadline = time.monotonic() + 60
        while not any("waiting for another process" in line for line in err) and p.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)  # it has met the lock; and it goes on waiting
        assert p.poll() is None and not (index / "manifest.json").exists()  # it waits for the holder
    stdout = p.stdout.read()
    p.wait(60)
    reader.join(10)
    assert p.returncode == 0 and "waiting for another process" in "".join(err) and "built" in stdout


SERVE = """
import json, sys
from pathlib import Path
from bot.search.engine import Engine
engine = Engine.open(Path(sys.argv[1]), Path(sys.argv[2]), log=lambda s: print(s, file=sys.stderr))
r = engine.ask("my log volume is full, what do I delete")
print(json.dumps({"heavy": sorted(m for m in ("torch", "sentence_transformers", "transformers") if m in sys.modules),
                  "top": r.answers[0].title, "matched_by": r.answers[0].matched_by}))
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory, onnx_export):
    """The tiny corpus with the real model: Engine.open in a child process on
    no index at all, which builds it (in a grandchild) and answers. Shared:
    a build with the real model costs a child process loading torch."""
    tmp = tmp_path_factory.mktemp("served")
    corpus, index = write_tiny_corpus(tmp / "corpus"), tmp / "index"
    stdout, stderr = _python("-c", SERVE, str(corpus), str(index), env={"CHSM_FAKE_ENCODER": ""}).communicate(timeout=600)
    return corpus, index, stdout, stderr


@pytest.mark.slow
def test_the_serving_path_never_imports_torch(served):
    """Engine.open on a fresh index with the real model: the build runs in a
    grandchild of this test; the child that serves never imports torch."""
    corpus, index, stdout, stderr = served
    assert stdout, stderr
    out = json.loads(stdout)
    assert out["heavy"] == [] and out["top"] == "The log volume is full" and "semantic" in out["matched_by"]
    assert "no index yet" in stderr
    m = json.loads((index / "manifest.json").read_text())
    assert m["model"] == embed.MODEL_NAME and m["query_encoder"]["from"] in ("cache", "export")


@pytest.mark.slow
def test_a_truncated_onnx_is_rebuilt(served, tmp_path):
    """Before: load only checked that query_encoder.onnx existed, so a
    truncated one failed in Engine() and was never rebuilt."""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(served[0], corpus)
    shutil.copytree(served[1], index)  # a fresh index built with the real model
    said: list[str] = []
    store.ensure(corpus, index, log=said.append)
    assert said == []  # fresh here too: loaded, not rebuilt
    _truncate(index / embed.ONNX_FILE)
    idx = store.ensure(corpus, index, log=said.append)
    [note] = _building(said)
    assert "query_encoder.onnx is damaged" in note and not ERROR_NAME.search(note)
    assert idx.manifest["query_encoder"]["from"] == "cache"  # the damaged file was not reused
    assert Engine(idx).ask("how do I rotate the owner certificate").answers[0].title.startswith("How do I rotate")
