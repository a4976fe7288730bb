import gzip
import io

import pytest

from bot.errors import InputError
from bot.triage import triage

LOG = """2026-11-27T04:10:00Z app01 myapp[1234]: INFO starting
2026-11-27T04:10:01Z app01 myapp[1234]: C_Initialize() failed with 00000005 (Failed to connect socket)
2026-11-27T04:10:02Z app01 myapp[1234]: INFO retrying, 0 errors so far
2026-11-27T04:10:03Z app01 myapp[1299]: C_Initialize() failed with 00000005 (Failed to connect socket)
2026-11-27T04:10:04Z app01 myapp[1236]: C_Login failed with error code: 0xa3 pin=cu1:hunter22
2026-11-27T04:10:05Z app01 ssl[99]: FATAL environment variable azcloudhsm_openssl_conf is not set
2026-11-27T04:10:06Z app01 db[7]: ERROR: disk quota exceeded on /var/lib/foo
2026-11-27T04:10:07Z app01 x[8]: loginHSM CO admin Adm1nPw ok
"""


def _run(engine, data: bytes, name="-"):
    return triage(engine, [(name, io.BytesIO(data))])


def test_distinct_problems_with_first_line_and_count(engine):
    r = _run(engine, LOG.encode())
    assert r.lines == 8
    by_title = {f.answer.title: f for f in r.findings}
    init = next(f for t, f in by_title.items() if "C_Initialize" in t)
    assert (init.line, init.count) == (2, 2)
    login = next(f for t, f in by_title.items() if "0xa3" in t)
    assert login.line == 5 and "hunter22" not in login.text
    # FATAL first, then by first line seen.
    assert "azcloudhsm_openssl_conf" in r.findings[0].answer.title
    assert [u.line for u in r.unmatched] == [7]
    assert r.redacted == 2  # the PIN and the CO password
    assert "Adm1nPw" not in r.model_dump_json() and "hunter22" not in r.model_dump_json()


@pytest.mark.parametrize(
    "encode",
    [
        lambda s: gzip.compress(s.encode()),
        lambda s: s.encode("utf-16"),
        lambda s: ("\ufeff" + s).encode("utf-8"),
        lambda s: s.replace("INFO starting", "INFO démarrage").encode("cp1252"),
        lambda s: s.replace("\n", "\r\n").encode(),
    ],
    ids=["gzip", "utf16", "utf8-bom", "cp1252", "crlf"],
)
def test_encodings(engine, encode):
    r = _run(engine, encode(LOG))
    assert r.lines == 8
    assert len(r.findings) == 3
    assert all(not f.text.endswith("\r") for f in r.findings)


def test_binary_is_refused(engine):
    with pytest.raises(InputError, match="binary"):
        _run(engine, b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 10, "a.out")


def test_empty_and_clean_logs(engine):
    assert _run(engine, b"").findings == []
    r = _run(engine, b"all good\nnothing to see\n")
    assert r.lines == 2 and r.findings == [] and r.unmatched == []


def test_chunk_boundaries_keep_line_numbers(engine, monkeypatch):
    import bot.triage as t

    monkeypatch.setattr(t, "CHUNK", 64)  # many chunks, lines cut across them
    lines = [f"INFO line {i}" for i in range(300)]
    lines[199] = "HSM Error: RET_USER_LOGIN_FAILURE on node 2"
    r = _run(engine, ("\n".join(lines) + "\n").encode())
    assert r.lines == 300
    assert r.findings[0].line == 200
