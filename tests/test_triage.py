import gzip
import io
import time

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


def test_one_template_one_answer_for_varying_numbers(engine):
    lines = [
        f"2026/11/27 04:{i % 60:02d}:00 [error] 4{i}#0: *{i} upstream timed out (110: Connection timed out) while reading "
        f"response header from upstream, worker 36{i} lost connection to upstream after {30000 + i * 7}ms, size {i}KB, took {i}s"
        for i in range(300)
    ]
    r = _run(engine, ("\n".join(lines) + "\n").encode())
    assert r.findings == []  # a generic failure, not this product's problem
    assert len(r.unmatched) == 1 and r.unmatched[0].count == 300


def test_success_and_trace_lines_are_never_findings(engine):
    log = "\n".join(
        ["[INFO] worker 1: C_Login -> CKR_OK"]
        + [f"[DEBUG] C_Encrypt(hSession={i}, mech=CKM_AES_GCM) -> CKR_OK" for i in range(59)]
        + ["tokenizer.service: Main process exited, code=exited, status=0/SUCCESS", "C_Initialize() succeeded"]
    )
    r = _run(engine, log.encode())
    assert r.findings == [] and r.unmatched == []


def test_generic_failures_are_other_errors_not_hsm_findings(engine):
    log = """nginx.service: Failed with result 'exit-code'.
tokenizer.service: Main process exited, code=exited, status=1/FAILURE
E: Unable to locate package libfoo-dev
"""
    r = _run(engine, log.encode())
    assert r.findings == []
    assert len(r.unmatched) == 3


def test_messages_the_docs_explain_are_found_at_info_level(engine):
    r = _run(engine, b"2026-11-27 04:10:00 INF: shutdown_ssl_socket: SSL_shutdown sent close_notify alert\n")
    assert [f.answer.title for f in r.findings] == ["SSL_shutdown sent close_notify alert"] or "close_notify" in r.findings[0].answer.title


def test_finding_has_first_and_last_line_timestamps_and_hosts(engine):
    log = """Nov 27 04:10:01 hsm-app-01 signer[4411]: C_Login failed with error code: 0xa3
Nov 27 04:10:02 hsm-app-01 signer[4411]: INFO retry
Nov 27 04:12:09 hsm-app-02 signer[977]: C_Login failed with error code: 0xa3
"""
    r = _run(engine, log.encode())
    (f,) = r.findings
    assert (f.line, f.last_line, f.count) == (1, 3, 2)
    assert (f.first_seen, f.last_seen) == ("Nov 27 04:10:01", "Nov 27 04:12:09")
    assert f.hosts == ["hsm-app-01", "hsm-app-02"]


def test_several_sources_fold_once_fatal_first(engine):
    a = b"WARN C_Login failed with error code: 0xa3\n"
    b = b"noise\nFATAL environment variable azcloudhsm_openssl_conf is not set\nC_Login failed with error code: 0xa3\n"
    r = triage(engine, [("a.log", io.BytesIO(a)), ("b.log", io.BytesIO(b))])
    assert len(r.findings) == 2
    assert "azcloudhsm_openssl_conf" in r.findings[0].answer.title and r.findings[0].text.startswith("[b.log]")
    login = r.findings[1]
    assert login.count == 2 and login.text.startswith("[a.log]")


def test_ansi_colours_utf16_and_utf32_without_bom_are_read(engine):
    log = "\x1b[31mERROR\x1b[0m C_Login failed with error code: 0xa3\nINFO ok\n"
    for data in (log.encode(), log.encode("utf-16-le"), log.encode("utf-16-be"), log.encode("utf-32-le"), log.encode("utf-32")):
        r = _run(engine, data)
        assert r.lines == 2 and len(r.findings) == 1, data[:16]
        assert "\x1b" not in r.findings[0].text


def test_a_huge_line_is_cut_and_never_shown_past_the_cap(engine):
    long = b"ERROR: " + b"-u x " * 200_000 + b" password=hunter2hunter2\n"
    r = _run(engine, long + b"C_Login failed with error code: 0xa3\n")
    assert r.lines == 2
    assert all(len(u.text) <= 500 for u in r.unmatched)
    assert "hunter2" not in r.model_dump_json()


def test_gzip_bomb_is_bounded_by_the_byte_budget(engine):
    from bot.triage import Budget

    bomb = gzip.compress(b"x" * (64 * 1024 * 1024), compresslevel=9)  # one endless line, 64 MB
    r = triage(engine, [("bomb.log.gz", io.BytesIO(bomb))], Budget(max_bytes=16 * 1024 * 1024))
    assert any("first 17 MB" in n or "size limit" in n for n in r.notes)


class _Stalling(io.BytesIO):
    """A log whose reads after the first take `pause` seconds each."""

    def __init__(self, data: bytes, pause: float):
        super().__init__(data)
        self.pause, self.reads = pause, 0

    def read(self, n=-1):
        self.reads += 1
        if self.reads > 1:
            time.sleep(self.pause)
        return super().read(n)


def test_time_budget_gives_a_partial_report(engine, monkeypatch):
    import bot.triage as t
    from bot.triage import Budget

    monkeypatch.setattr(t, "CHUNK", 1024)
    data = b"C_Login failed with error code: 0xa3\n" + b"INFO line\n" * 200_000
    # The budget runs out in the second read, whatever the load on this box
    # (a 0.1 ms budget could run out before the first line was read).
    r = triage(engine, [("slow.log", _Stalling(data, pause=0.6))], Budget(seconds=0.5))
    assert r.findings and r.notes and r.notes[0].startswith("stopped after")


def test_unreadable_source_among_several_is_a_note(engine):
    r = triage(engine, [("a.bin", io.BytesIO(b"\x00\x01\x02" * 2000)), ("b.log", io.BytesIO(b"C_Login failed with error code: 0xa3\n"))])
    assert len(r.findings) == 1 and any("a.bin" in n for n in r.notes)
