"""Deterministic stand-ins for the embedding model, and a tiny index built
with one in milliseconds (no torch, no ONNX file).

    enc = HashEncoder()
    corpus, index = tiny_index(tmp_path)              # built with enc
    engine = Engine(store.load(index), encoder=enc)

For code that goes through `store.ensure` (and its child build process),
`use_fake_encoder(monkeypatch)` names the encoder in $CHSM_FAKE_ENCODER so
the freshness check, the build and the loader all agree on it.
"""

import hashlib
import re
import time
from pathlib import Path

import numpy as np

DIM = 384
SPEC = f"{Path(__file__).resolve()}:{{}}"  # $CHSM_FAKE_ENCODER for a class below

TINY_CORPUS = {
    "relay.md": (
        "# Relay runbook\n\n## Relay\n\n"
        '### Why do I see "relay handshake refused by peer"?\n\n'
        "The relay rejected the client certificate. Restart the relay service:\n\n"
        "```bash\nsudo systemctl restart relay.service\n```\n"
    ),
    "disk.md": (
        "# Disk runbook\n\n## Disk\n\n### The log volume is full\n\n"
        "Old logs fill /var/log. Remove rotated logs and restart the agent.\n\n"
        "```bash\nsudo journalctl --vacuum-size=200M\n```\n"
    ),
    "certs.md": (
        "# Certificates\n\n## Rotation\n\n### How do I rotate the partition owner certificate?\n\n"
        "Download the new certificate, upload it to the partition, then verify the chain.\n"
    ),
    "login.md": (
        "# Login\n\n## Crypto users\n\n"
        '### "user login failed with code 0x00000123"\n\n'
        "The crypto user password is wrong or the user is locked. Reset the password with an admin.\n"
    ),
}


class HashEncoder:
    """Hashed bag of words -> 384-d, L2-normalised, float32. Texts sharing
    words get a positive cosine; the same text always gets the same vector."""

    name = "hashed-bow-384"
    fingerprint = "hashed-bow-384-v1"
    dim = DIM

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"[a-z0-9]+", text.lower()):
                h = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")
                out[row, h % DIM] += 1.0
            norm = float(np.linalg.norm(out[row]))
            if norm == 0.0:
                out[row, 0] = 1.0  # no words: still a unit vector
            else:
                out[row] /= norm
        return out


class HashEncoderV2(HashEncoder):
    """The same model name, another fingerprint: an upgraded model."""

    fingerprint = "hashed-bow-384-v2"


class SlowHashEncoder(HashEncoder):
    """Takes a while per call, so concurrent builds really overlap."""

    def encode(self, texts: list[str]) -> np.ndarray:
        time.sleep(2.0)
        return super().encode(texts)


class ExplodingEncoder(HashEncoder):
    """Fails with an internal-looking message a user must never see."""

    def encode(self, texts: list[str]) -> np.ndarray:
        raise RuntimeError("secret internal detail /opt/private/path")


def write_tiny_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in TINY_CORPUS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def tiny_index(tmp: Path, encoder=None) -> tuple[Path, Path]:
    """(corpus, index) under `tmp`: four small runbooks, built with the fake
    encoder in this process. Load with store.load(index)."""
    from bot.search import build

    corpus = write_tiny_corpus(tmp / "corpus")
    index = tmp / "index"
    build.build(corpus, index, encoder=encoder or HashEncoder(), log=lambda s: None)
    return corpus, index


def use_fake_encoder(monkeypatch, cls: str = "HashEncoder", in_process: bool = False) -> None:
    """$CHSM_FAKE_ENCODER for this test. `in_process`: store.ensure builds
    here instead of in a child process (same code, milliseconds)."""
    monkeypatch.setenv("CHSM_FAKE_ENCODER", SPEC.format(cls))
    if in_process:
        from bot.search import build, store

        monkeypatch.setattr(store, "run_build", lambda corpus, index, lock, log: build.build(corpus, index, log=log, lock=False))


def session_cache(tmp_path_factory) -> Path:
    """One ONNX cache folder for the whole test session: the export runs once."""
    folder = tmp_path_factory.getbasetemp() / "chsm-cache"
    folder.mkdir(exist_ok=True)
    return folder
