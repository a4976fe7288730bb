"""Real parts: the bundled corpus, the packaged model, a real index built once
per test session into a temp folder (never the developer's ./index)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


REAL_MODEL = {"engine", "index_dir"}


def pytest_collection_modifyitems(items):
    """Tests on the real model or a real bot process are the slow tier:
    `pytest -m "not slow"` runs the rest in seconds."""
    for item in items:
        if REAL_MODEL & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session", autouse=True)
def _onnx_cache(tmp_path_factory):
    """One ONNX export per test session, never the developer's ~/.cache."""
    os.environ["CHSM_CACHE_DIR"] = str(tmp_path_factory.getbasetemp() / "chsm-cache")


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory) -> Path:
    from bot.search import build

    folder = tmp_path_factory.mktemp("index")
    build.build(CORPUS, folder, log=lambda s: None)
    return folder


@pytest.fixture(scope="session")
def engine(index_dir):
    from bot.search.engine import Engine

    return Engine.open(CORPUS, index_dir)


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path, request):
    """Every test gets its own data dir; session fixtures above are shared."""
    monkeypatch.setenv("CHSM_DATA_DIR", str(tmp_path / "data"))
    if "index_dir" in request.fixturenames:
        monkeypatch.setenv("CHSM_INDEX_DIR", str(request.getfixturevalue("index_dir")))
        monkeypatch.setenv("CHSM_CORPUS_DIR", str(CORPUS))


def run_chsm(*args: str, stdin: bytes | None = None, env: dict | None = None, timeout: int = 120):
    """The installed console script, as a user runs it."""
    chsm = Path(sys.executable).with_name("chsm")
    p = subprocess.run(
        [str(chsm), *args],
        input=stdin,
        capture_output=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )
    p.stdout, p.stderr = p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
    return p


@pytest.fixture(scope="session")
def redis_server():
    """A real redis-server for the session (skipped without the binary, except in CI)."""
    from redis_server import RedisServer, need_redis

    need_redis()
    server = RedisServer().start()
    yield server
    server.stop()
