"""The ONNX encoder (documents and queries) must encode as
sentence-transformers does (the export carries that library's own vectors of
embed.PROBES, so no torch here); the ONNX export is made once per model and
reused only when it verifies; the fake encoder keeps the Encoder contract."""

import json

import numpy as np
import pytest
from fakes import SPEC, HashEncoder, session_cache

from bot.search import build, embed

TEXTS = list(embed.PROBES)


@pytest.fixture(autouse=True)
def _cache(monkeypatch, tmp_path_factory):
    monkeypatch.setenv("CHSM_CACHE_DIR", str(session_cache(tmp_path_factory)))
    monkeypatch.delenv("CHSM_FAKE_ENCODER", raising=False)


def _reference(enc: embed.OnnxEncoder) -> np.ndarray:
    """sentence-transformers' vectors of the probes, as the export recorded them."""
    return np.asarray(json.loads(enc.session.get_modelmeta().custom_metadata_map[embed.PROBE_META]), dtype=np.float32)


@pytest.mark.slow
def test_onnx_encoder_matches_sentence_transformers(onnx_export):
    onnx_path, _ = build.cached_query_encoder(log=lambda s: None)  # exported once per test session (or kept from the last)
    enc = embed.OnnxEncoder(onnx_path)
    ref = _reference(enc)
    assert ref.shape == (len(TEXTS), 384) and np.allclose(np.linalg.norm(ref, axis=1), 1.0, atol=1e-5)
    cos = (enc.encode(TEXTS) * ref).sum(axis=1)
    assert np.all(cos >= 0.999), cos
    assert enc.agreement() == pytest.approx(cos.min(), abs=1e-6)


class _Doctored:
    """The export's session, with reference vectors of our choosing."""

    def __init__(self, session, reference):
        self.session, self.meta = session, {embed.PROBE_META: json.dumps(reference)}

    def run(self, *a, **kw):
        return self.session.run(*a, **kw)

    def get_modelmeta(self):
        return type("Meta", (), {"custom_metadata_map": self.meta})()


@pytest.mark.slow
def test_agreement_notices_an_export_that_does_not_encode_as_the_model(onnx_export):
    onnx_path, _ = build.cached_query_encoder(log=lambda s: None)
    enc = embed.OnnxEncoder(onnx_path)
    ref = _reference(enc).tolist()
    enc.session = _Doctored(enc.session, ref[1:] + ref[:1])  # each probe's vector is another's
    assert enc.agreement() < 0.5
    enc.session = _Doctored(enc.session.session, ref[:2])  # too few
    assert enc.agreement() == 0.0


def test_a_build_refuses_an_export_that_does_not_encode_as_the_model(tmp_path, monkeypatch):
    from bot.errors import IndexError_
    from bot.search import store
    from fakes import write_tiny_corpus

    placed = tmp_path / "placed.onnx"
    placed.write_bytes(b"an export")
    monkeypatch.setattr(build, "_place_query_encoder", lambda dest, *a: dest.write_bytes(placed.read_bytes()) and {"key": "k"})
    monkeypatch.setattr(embed, "OnnxEncoder", lambda path, threads=1: type("Enc", (), {"agreement": lambda self: 0.42})())
    with pytest.raises(IndexError_, match=r"does not encode as the model does \(cosine 0.4200\)"):
        build.build(write_tiny_corpus(tmp_path / "corpus"), tmp_path / "index", log=lambda s: None)
    assert not (tmp_path / "index" / store.MANIFEST).exists()


def test_fake_encoder_keeps_the_contract():
    enc = HashEncoder()
    assert isinstance(enc, embed.Encoder)
    v = enc.encode(TEXTS)
    assert v.shape == (len(TEXTS), 384) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-6)
    assert np.array_equal(v, HashEncoder().encode(TEXTS))  # deterministic
    assert enc.encode([]).shape == (0, 384) and np.linalg.norm(enc.encode([""])) == pytest.approx(1.0)
    a, b, c = enc.encode(["relay handshake refused", "the relay refused the handshake", "disk full"])
    assert a @ b > a @ c


def test_fake_encoder_is_named_by_the_environment(monkeypatch):
    assert embed.fake_encoder() is None and embed.identity()[0] == embed.MODEL_NAME
    monkeypatch.setenv("CHSM_FAKE_ENCODER", SPEC.format("HashEncoderV2"))
    enc = embed.fake_encoder()
    assert type(enc).__name__ == "HashEncoderV2"
    assert embed.identity() == ("fake:hashed-bow-384", "fake:hashed-bow-384-v2")
    monkeypatch.setenv("CHSM_FAKE_ENCODER", "fakes:HashEncoder")  # module form (tests/ is on sys.path here)
    assert embed.identity() == ("fake:hashed-bow-384", "fake:hashed-bow-384-v1")


# -- the export cache, with a stand-in for the 6 s export -------------------------------
@pytest.fixture
def fake_export(monkeypatch, tmp_path):
    """A private cache folder and an export that writes 20 MB of known bytes."""
    monkeypatch.setenv("CHSM_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(embed, "model_fingerprint", lambda: "fp-test")
    calls = []

    def export(out, errlog=None):
        calls.append(out)
        out.write_bytes(np.random.default_rng(1).bytes(20 << 20))

    monkeypatch.setattr(build, "export_onnx", export)
    return calls


def test_the_export_is_cached_and_verified(fake_export, tmp_path):
    said = []
    path, exported = build.cached_query_encoder(log=said.append)
    assert exported and len(fake_export) == 1 and path.parent == tmp_path / "cache" / "onnx"
    assert path.name == f"fp-test-x{build.EXPORT_VERSION}.onnx"
    side = json.loads(path.with_suffix(".json").read_text())
    assert side["size"] == 20 << 20 and len(side["sha256"]) == 64

    assert build.cached_query_encoder(log=said.append) == (path, False) and len(fake_export) == 1  # reused

    b = bytearray(path.read_bytes())  # damaged in place, same size: the hash catches it
    b[12345] ^= 1
    path.write_bytes(bytes(b))
    (path.parent / f"{path.name}.tmp-99999").write_bytes(b"half an export")  # a killed export
    assert build.cached_query_encoder(log=said.append) == (path, True) and len(fake_export) == 2
    assert said == ["note: the cached query encoder was damaged; exporting it again"]
    assert not list(path.parent.glob("*.tmp-*"))


def test_cache_folder_follows_xdg_then_home(monkeypatch, tmp_path):
    monkeypatch.delenv("CHSM_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert build.cache_dir() == tmp_path / "xdg" / "chsm-bot"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert build.cache_dir() == tmp_path / "home" / ".cache" / "chsm-bot"


def test_previous_index_file_is_reused_only_when_it_verifies(fake_export, tmp_path):
    index = tmp_path / "index"
    index.mkdir()
    onnx = index / embed.ONNX_FILE
    onnx.write_bytes(b"an exported model" * 1000)
    from bot.search import store

    manifest = {"query_encoder": {"key": build.onnx_key()}, "files": {embed.ONNX_FILE: store.file_record(onnx)}}
    (index / "manifest.json").write_text(json.dumps(manifest))
    dest = tmp_path / "dest1.onnx"
    assert build._place_query_encoder(dest, index, print, None)["from"] == "previous index"
    assert dest.read_bytes() == onnx.read_bytes() and fake_export == []

    onnx.write_bytes(b"An exported model" * 1000)  # same size, different bytes
    dest = tmp_path / "dest2.onnx"
    assert build._place_query_encoder(dest, index, print, None)["from"] == "export"
    assert build._place_query_encoder(tmp_path / "dest3.onnx", index, print, None)["from"] == "cache"
    assert len(fake_export) == 1

    manifest["query_encoder"]["key"] = "another-model-x1"  # made for another model: never reused
    onnx.write_bytes(b"an exported model" * 1000)
    (index / "manifest.json").write_text(json.dumps(manifest))
    assert build._place_query_encoder(tmp_path / "dest4.onnx", index, print, None)["from"] == "cache"


def test_texts_are_tokenized_in_bounded_windows(monkeypatch):
    """A tokenizer encoding keeps what truncation cut off: a long `ask
    --batch` of huge pastes is tokenized a window at a time, every text once,
    in order."""
    monkeypatch.setattr(embed, "WINDOW_TEXTS", 3)
    monkeypatch.setattr(embed, "WINDOW_CHARS", 100)
    texts = ["a"] * 7 + ["b" * 60, "c" * 60, "d" * 500, "e"]
    windows = list(embed._windows(texts))
    assert [texts[i] for first, last in windows for i in range(first, last)] == texts
    assert [last - first for first, last in windows] == [3, 3, 2, 1, 1, 1]  # a text past the budget goes alone
    assert list(embed._windows([])) == []
