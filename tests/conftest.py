"""Real parts: the bundled corpus, the packaged model, a real index (built
into a temp folder once per test session, or copied there from pytest's
cache or from ./index when the same code built it from the same corpus;
tests never write to ./index); and what many test modules share: unique ids
and the fake Slack."""

import contextlib
import fcntl
import functools
import gc
import hashlib
import io
import itertools
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

# Keep the bytecode of what the tests import (and pytest's assert-rewritten
# test modules) even where PYTHONDONTWRITEBYTECODE is set, as on the dev
# box: otherwise every run compiles them again (seconds), and so does every
# bot and `chsm` process the tests start. __pycache__ is git- and docker-ignored.
sys.dont_write_bytecode = False

from fake_slack import FakeSlack  # noqa: E402 - after the line above

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


REAL_MODEL = {"engine", "index_dir"}


# Under pytest-xdist (`-n 2 --dist loadgroup`) the tests of each of these run
# in one worker: what they share is costly to make twice (a bot process, the
# evaluation, a build with the real model). Prefixes of node ids.
ONE_WORKER = {
    "tests/test_slack_http.py": "http-bot",
    "tests/test_slack_edge.py": "edge-bot",
    "tests/test_slack_files.py": "files-bot",
    "tests/test_slack_reload.py": "reload-bot",
    "tests/test_slack_replicas.py": "replicas",
    "tests/test_eval.py": "evaluation",
    "tests/test_store.py::test_the_serving_path_never_imports_torch": "served",
    "tests/test_store.py::test_a_truncated_onnx_is_rebuilt": "served",
}


# xdist hands out tests in collection order. These start first: the longest,
# so that no worker is left running one alone at the end. The rest of the
# slow tier (bot processes, waits) is then spread through the fast tier's
# short CPU-bound tests, which fill the cores while slow tests wait and
# finish the run (order_for_xdist).
LONG_FIRST = (
    "tests/test_slack_replicas.py",
    "tests/test_slack_workers.py::test_a_gzip_bomb_keeps_the_whole_bot_under_1_2_gb",
    "tests/test_slack_workers.py::test_a_job_past_its_deadline_tells_the_user_and_the_bot_recovers",
    "tests/test_slack_reload.py",
    "tests/test_eval.py",
    "tests/test_store.py::test_the_serving_path_never_imports_torch",
    "tests/test_store.py::test_two_processes_calling_ensure_build_once",
)


def group_of(nodeid: str) -> str | None:
    for prefix, name in ONE_WORKER.items():
        if nodeid == prefix or nodeid.startswith((prefix + "::", prefix + "[", prefix + "@")):
            return name
    return None


def pytest_configure(config):
    config.addinivalue_line("markers", "shared_fake: the module's tests share one fake Slack (module_fake) and the bot that uses it")
    config.addinivalue_line("markers", "xdist_group(name): pytest-xdist --dist loadgroup runs a group's tests in one worker")


def pytest_collection_modifyitems(items):
    """Tests on the real model or a real bot process are the slow tier:
    `pytest -m "not slow"` runs the rest in seconds."""
    for item in items:
        if REAL_MODEL & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
        if group_of(item.nodeid):
            item.add_marker(pytest.mark.xdist_group(group_of(item.nodeid)))
    if os.environ.get("PYTEST_XDIST_WORKER"):
        items[:] = order_for_xdist(items)


def pytest_collection_finish(session):
    """What collection imported lives as long as the session: out of the
    cyclic GC's way (its full passes over it cost each worker about a second)."""
    gc.freeze()


def order_for_xdist(items: list) -> list:
    """LONG_FIRST; then the other slow tests, each module's spread evenly
    among the others' (a module's waits, keepalives or drains, would
    otherwise run side by side on every worker and leave the cores idle),
    and all of them over the first four fifths of the fast ones. The same
    order in every worker."""
    first = [it for it in items if it.nodeid.startswith(LONG_FIRST)]
    rest = [it for it in items if not it.nodeid.startswith(LONG_FIRST)]
    by_module: dict[str, list] = {}
    for it in rest:
        if it.get_closest_marker("slow"):
            by_module.setdefault(it.nodeid.split("::")[0], []).append(it)
    spread = [((k + 0.5) / len(tests), m, it) for m, tests in enumerate(by_module.values()) for k, it in enumerate(tests)]
    slow = [it for *_, it in sorted(spread, key=lambda p: p[:2])]
    fast = [it for it in rest if not it.get_closest_marker("slow")]
    placed = [(0.8 * i / len(slow), 0, i, it) for i, it in enumerate(slow)] + [(j / len(fast), 1, j, it) for j, it in enumerate(fast)]
    return first + [it for *_, it in sorted(placed, key=lambda p: p[:3])]


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config):
    """`-n auto`: a worker per core, at most 4 (bot processes and the real
    model take memory), and for the slow tier one more: a third of its time
    is waiting (keepalives, deadlines, drains), which the extra worker fills.
    PYTEST_XDIST_AUTO_NUM_WORKERS overrides."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return int(os.environ["PYTEST_XDIST_AUTO_NUM_WORKERS"])
    from bot import cores  # not numpy's import time in the controller

    if "not slow" in (config.option.markexpr or ""):
        return min(4, cores())
    return min(4, cores() + 1)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """--dist loadgroup by ONE_WORKER: xdist 3.8 marks a group in the node id,
    which pytest 9.2's node ids no longer take, so its own loadgroup spreads them."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class Grouped(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return group_of(nodeid) or nodeid

    return Grouped(config, log)


# -- shared by the Slack tests ------------------------------------------------------------
_n = itertools.count(1)


def uid(prefix: str) -> str:
    """A channel, event or file id no other test in this session uses: tests
    that share one bot (and one fake Slack) tell their calls apart by it."""
    return f"{prefix}{next(_n):04d}"


def close_soon(fake: FakeSlack) -> None:
    """FakeSlack.close() waits out its server's 0.5 s poll; nothing after a
    test needs that wait, so it happens in the background."""
    threading.Thread(target=fake.close, daemon=True).start()


@pytest.fixture
def fake(request):
    """A fake Slack Web API of this test's own; in a module marked
    `shared_fake`, the module's one (`module_fake`, which its shared bot uses)."""
    if request.node.get_closest_marker("shared_fake"):
        yield request.getfixturevalue("module_fake")
        return
    f = FakeSlack()
    yield f
    close_soon(f)


@pytest.fixture(scope="module")
def module_fake():
    """One fake Slack for a module whose tests share one bot process."""
    f = FakeSlack()
    yield f
    close_soon(f)


# -- the real model ----------------------------------------------------------------------
@pytest.fixture(scope="session", autouse=True)
def _onnx_cache(tmp_path_factory):
    """One ONNX export per test session, never the developer's ~/.cache."""
    os.environ["CHSM_CACHE_DIR"] = str(tmp_path_factory.getbasetemp() / "chsm-cache")


# What the real index is made of: the corpus, and what built it (the code of
# the build, the libraries it uses, the model; bot/search/provenance.py). A
# session whose key matches a kept index copies it (about a second) instead
# of building it; so does one that finds ./index built by the same code from
# the same corpus (a fresh clone after scripts/setup.sh). A change to any of
# them builds afresh. CHSM_TEST_FRESH_INDEX=1 always builds.
@functools.cache
def built_by() -> str:
    from bot.search import provenance

    return provenance.built_by()


def real_index_key() -> str:
    from bot.corpus import corpus_hash

    return hashlib.sha256(f"{built_by()}\n{corpus_hash(CORPUS)}".encode()).hexdigest()[:24]


def _kept(config, name: str) -> Path | None:
    """pytest's cache folder for `name`, or None (-p no:cacheprovider, or CHSM_TEST_FRESH_INDEX=1)."""
    cache = getattr(config, "cache", None)
    if cache is None or os.environ.get("CHSM_TEST_FRESH_INDEX") == "1":
        return None
    return Path(cache.mkdir(name))


def _keep(folder: Path, root: Path, key: str) -> None:
    """A copy of `folder` as root/key, whole or not at all; older keys go."""
    tmp = root / f".tmp-{key}-{os.getpid()}"
    try:
        shutil.copytree(folder, tmp, ignore=shutil.ignore_patterns(".lock", ".build-*"))
        tmp.rename(root / key)
    except OSError:  # another session kept it first, or no room: next time, then
        shutil.rmtree(tmp, ignore_errors=True)
        return
    for old in root.iterdir():
        if old.name not in (key, ".lock") and (not old.name.startswith(".tmp-") or old.stat().st_mtime < time.time() - 3600):
            shutil.rmtree(old, ignore_errors=True)


@pytest.fixture(scope="session")
def onnx_export(request, tmp_path_factory):
    """This session's ONNX cache holds the query-encoder export kept by an
    earlier session, if there is one (the product verifies it before use);
    an export this session makes is kept for the next."""
    from bot.search import build, provenance, store

    folder = tmp_path_factory.getbasetemp() / "chsm-cache" / "onnx"
    folder.mkdir(parents=True, exist_ok=True)
    root = _kept(request.config, "chsm-onnx")
    key = build.onnx_key()
    kept = root / hashlib.sha256(f"{key}\n{provenance.versions(provenance.MODEL_STACK)}".encode()).hexdigest()[:24] if root else None
    if kept and kept.is_dir() and not (folder / f"{key}.onnx").exists():
        for p in kept.iterdir():
            shutil.copyfile(p, folder / p.name)
    if not (folder / f"{key}.onnx").exists():
        _seed_from_project_index(folder, key)
    yield
    if kept and not kept.is_dir():
        try:
            rec = json.loads((folder / f"{key}.json").read_text())
            if store.sha256_file(folder / f"{key}.onnx") == rec["sha256"]:
                tmp = tmp_path_factory.mktemp("onnx-keep")
                for suffix in (".onnx", ".json"):
                    shutil.copyfile(folder / f"{key}{suffix}", tmp / f"{key}{suffix}")
                _keep(tmp, root, kept.name)
        except (OSError, ValueError, KeyError):
            pass


def _seed_from_project_index(folder: Path, key: str) -> None:
    """./index's export, when the same code made it for this model (a fresh
    clone after scripts/setup.sh): the session's cache gets a copy and its
    record, as if this session had exported it."""
    from bot.search import embed, store

    src = ROOT / "index" / embed.ONNX_FILE
    m = _project_manifest()
    try:
        if m is None or m["query_encoder"]["key"] != key:
            return
        dest = folder / f"{key}.onnx"
        shutil.copyfile(src, dest)
        rec = store.file_record(dest)
        if rec["sha256"] != m["files"][embed.ONNX_FILE]["sha256"]:
            dest.unlink()
            return
        (folder / f"{key}.json").write_text(json.dumps({"key": key, **rec}) + "\n")
    except (OSError, ValueError, KeyError, TypeError):
        pass


def _copy_kept(kept: Path, folder: Path) -> bool:
    """A verified copy of the index in `kept`, if it is fresh for CORPUS."""
    from bot.search import store

    if not kept.is_dir():
        return False
    try:
        shutil.copytree(kept, folder, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".lock", ".build-*", "build.log"))
        store.load(folder)  # every file checked against the manifest
        if store.stale_reason(folder, CORPUS) is None:
            return True
    except Exception:  # noqa: BLE001 - a damaged copy is simply built again
        pass
    shutil.rmtree(folder)
    folder.mkdir()
    return False


def _project_manifest() -> dict | None:
    """./index's manifest, if the same code built that index (built_by)."""
    try:
        m = json.loads((ROOT / "index" / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return m if isinstance(m, dict) and m.get("built_by") == built_by() else None


@pytest.fixture(scope="session")
def index_dir(request, tmp_path_factory) -> Path:
    from bot.search import build

    folder = tmp_path_factory.mktemp("index")
    if os.environ.get("CHSM_TEST_FRESH_INDEX") != "1" and _project_manifest() and _copy_kept(ROOT / "index", folder):
        return folder
    root = _kept(request.config, "chsm-real-index")
    if root is None:
        request.getfixturevalue("onnx_export")
        build.build(CORPUS, folder, log=lambda s: None)
        return folder
    key = real_index_key()
    if _copy_kept(root / key, folder):
        return folder
    with open(root / ".lock", "a") as lock:  # one build, when pytest-xdist workers all need it
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _copy_kept(root / key, folder):
            return folder
        request.getfixturevalue("onnx_export")  # the build places the export in the index
        build.build(CORPUS, folder, log=lambda s: None)
        _keep(folder, root, key)
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


def call_chsm(*args: str, stdin: bytes | None = None, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """`chsm` as run_chsm runs it (the same main(), exit code, stdout and
    stderr, `env` over this process's environment), but in this process:
    without the second of imports a child pays. run_chsm for the console
    script itself. A call still running after `timeout` fails the test (a
    `serve` that should have refused to start, say); logger levels a command
    sets are put back."""
    import logging

    from bot import cli

    out, err = io.StringIO(), io.StringIO()
    result: dict = {}
    levels = {name: lg.level for name, lg in logging.Logger.manager.loggerDict.items() if isinstance(lg, logging.Logger)}

    def call():
        try:
            result["code"] = cli.main(list(args))
        except SystemExit as exc:  # argparse's usage errors
            result["code"] = exc.code if isinstance(exc.code, int) else 1
        except BaseException as exc:  # re-raised below, in the test's thread
            result["error"] = exc

    with pytest.MonkeyPatch.context() as mp:
        for k, v in (env or {}).items():
            mp.setenv(k, v)
        mp.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin or b""), encoding="utf-8"))
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            worker = threading.Thread(target=call, daemon=True)
            worker.start()
            worker.join(timeout)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)
    if worker.is_alive():
        pytest.fail(f"chsm {' '.join(args)} still running after {timeout} s")
    if "error" in result:
        raise result["error"]
    return subprocess.CompletedProcess(list(args), result["code"], out.getvalue(), err.getvalue())


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
