"""`chsm`: thin. Parse, call the engine, pick a renderer, map errors to exit codes."""

import argparse
import json
import sys
import time
from pathlib import Path

from bot.errors import ChsmError, UsageError


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # usage errors exit 2 with one line, as argparse does
        self.print_usage(sys.stderr)
        print(f"chsm: {message}", file=sys.stderr)
        raise SystemExit(2)


def _parser() -> argparse.ArgumentParser:
    # --corpus/--index/--debug work before or after the subcommand alike.
    common = _Parser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks")
    common.add_argument("--corpus", type=Path, default=argparse.SUPPRESS, help="corpus folder (default: $CHSM_CORPUS_DIR or the bundled docs)")
    common.add_argument("--index", type=Path, default=argparse.SUPPRESS, help="index folder (default: $CHSM_INDEX_DIR or the index beside the bundled corpus)")
    p = _Parser(prog="chsm", description="Answers Azure Cloud HSM errors from Microsoft's docs, offline.", parents=[common])
    sub = p.add_subparsers(dest="cmd", required=True, parser_class=_Parser)

    a = sub.add_parser("ask", help="answer a question or an error text", parents=[common])
    a.add_argument("--json", action="store_true")
    a.add_argument("--top", type=int, default=3)
    a.add_argument("--batch", metavar="FILE", help="JSON Lines of {\"query\": ...} ('-' for stdin)")
    a.add_argument("text", nargs="*", help="the question ('-' reads stdin)")

    t = sub.add_parser("triage", help="triage a log file", parents=[common])
    t.add_argument("--json", action="store_true")
    t.add_argument("path", help="log file ('-' reads stdin)")

    i = sub.add_parser("index", help="manage the search index")
    isub = i.add_subparsers(dest="index_cmd", required=True, parser_class=_Parser)
    b = isub.add_parser("build", help="(re)build the index from the corpus")
    b.add_argument("--corpus", dest="build_corpus", type=Path)
    b.add_argument("--out", type=Path)

    e = sub.add_parser("eval", help="retrieval-quality metrics on the labelled query set", parents=[common])
    e.add_argument("--queries", type=Path, action="append", help="JSON Lines labelled set (default: tests/eval/queries.jsonl and tests/eval_queries.jsonl)")
    e.add_argument("--no-misses", action="store_true", help="figures only")
    e.add_argument("--split", choices=("heldout", "train"), help="only this split's queries")
    e.add_argument("--check", action="store_true", help="exit 1 when a figure is under its bar (bot/evaluate.py BARS)")
    e.add_argument("--json", action="store_true")

    s = sub.add_parser("serve", help="run the Slack bot (Socket Mode, or --http)", parents=[common])
    s.add_argument("--http", action="store_true")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=3000)

    m = sub.add_parser("manifest", help="print the Slack app manifest (Socket Mode; --http-url for HTTP mode)")
    m.add_argument("--http-url", help="public base URL of `chsm serve --http`, e.g. https://chsm.example.com")
    sub.add_parser("feedback", help="summarise Helpful / Not helpful votes per entry")
    r = sub.add_parser("report", help="unanswered questions and voted-down answers, clustered: the docs to write next")
    r.add_argument("--days", type=float, default=None, help="how far back (default: $CHSM_REPORT_DAYS, 7)")
    r.add_argument("--json", action="store_true")
    return p


def _paths(args):
    from bot.config import settings

    cfg = settings()
    return (getattr(args, "corpus", None) or cfg.chsm_corpus_dir), (getattr(args, "index", None) or cfg.chsm_index_dir)


def _stdout_style():
    from bot.render.text import Style

    return Style(sys.stdout.isatty())


def _read_stdin() -> str:
    data = sys.stdin.buffer.read()
    if b"\0" in data[:65536]:
        from bot.errors import InputError

        raise InputError("stdin looks binary (it has NUL bytes); give a question or error text")
    return data.decode("utf-8", errors="replace")


def _ask(args) -> int:
    from bot import answer
    from bot.render.text import format_ask, format_triage
    from bot.search.engine import TOP_DEFAULT, Engine

    if args.top < 1 or args.top > 20:
        raise UsageError("--top takes a number from 1 to 20")
    if args.batch:
        if args.text:
            raise UsageError("give either --batch FILE or a question, not both")
        return _ask_batch(args)
    text = _read_stdin() if args.text == ["-"] else " ".join(args.text)
    if not text.strip():
        raise UsageError("nothing to ask: give a question, or '-' to read it from stdin")
    engine = Engine.open(*_paths(args))
    if args.json:  # the ask shape, whatever the text (docs/contract.md); `chsm triage --json` for a log's
        print(json.dumps(engine.ask(text, args.top).model_dump(), ensure_ascii=False, indent=2))
        return 0
    # The same decision as in Slack (bot/answer.py): a pasted log is triaged.
    reply = answer.answer(engine, text)
    if reply.triage is not None:
        print(format_triage(reply.triage, _stdout_style()))
        return 0
    result = reply.ask if reply.ask is not None and args.top == TOP_DEFAULT else engine.ask(text, args.top)
    print(format_ask(result, _stdout_style()))
    return 0


def _batch_query(line: str) -> str:
    """The query of one --batch line; ValueError with the reason otherwise."""
    try:
        obj = json.loads(line)
    except ValueError:
        raise ValueError("not valid JSON") from None
    if not isinstance(obj, dict) or not isinstance(obj.get("query"), str):
        raise ValueError('not a JSON object with a string "query"')
    if not obj["query"].strip():
        raise ValueError("the query is empty")
    return obj["query"]


def _ask_batch(args) -> int:
    """One output line per input line, in order; a bad line gets its own
    {"error": ...} and the others are still answered (exit 2 then)."""
    from bot.search.engine import Engine

    raw = _read_stdin() if args.batch == "-" else _read_file(Path(args.batch))
    lines = [ln for ln in raw.splitlines() if ln.strip()]
    queries: list[str | None] = []
    errors: dict[int, str] = {}
    for n, line in enumerate(lines):
        try:
            queries.append(_batch_query(line))
        except ValueError as exc:
            queries.append(None)
            errors[n] = f"line {n + 1}: {exc}"
    engine = Engine.open(*_paths(args))
    good = [q for q in queries if q is not None]
    results = iter(engine.ask_many(good, args.top)) if good else iter(())
    for n, q in enumerate(queries):
        out = {"error": errors[n]} if q is None else next(results).model_dump()
        print(json.dumps(out, ensure_ascii=False))
    return 2 if errors else 0


def _read_file(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8", errors="replace")
    except OSError as exc:
        from bot.errors import InputError

        raise InputError(f"cannot read {path}: {exc.strerror}") from exc


def _triage(args) -> int:
    from bot.render.text import format_triage
    from bot.search.engine import Engine
    from bot.triage import open_log, triage

    engine = Engine.open(*_paths(args))
    if args.path == "-":
        stream, source = sys.stdin.buffer, "-"
    else:
        stream, source = open_log(Path(args.path))
    with stream:
        result = triage(engine, [(source, stream)])
    if args.json:
        print(json.dumps(result.model_dump(), ensure_ascii=False, indent=2))
    else:
        print(format_triage(result, _stdout_style()))
    return 0


def _index(args) -> int:
    from bot.search import build

    corpus, index = _paths(args)
    corpus = args.build_corpus or corpus
    index = args.out or index
    t = time.perf_counter()
    m = build.build(corpus, index, log=lambda s: print(s, file=sys.stderr))  # in-process, under the index lock
    print(f"built {index}: {m['entries']} entries, {m['chunks']} vectors, model {m['model']} in {time.perf_counter() - t:.1f}s")
    return 0


def _eval(args) -> int:
    from bot.evaluate import DEFAULT_LOGS, DEFAULT_QUERIES, failures, format_logs, format_report, run, run_logs
    from bot.search.engine import Engine

    engine = Engine.open(*_paths(args))
    splits = (args.split,) if args.split else None
    report = run(engine, args.queries or DEFAULT_QUERIES, splits=splits)
    if not args.queries and DEFAULT_LOGS.exists():
        report["logs"] = run_logs(engine, DEFAULT_LOGS, splits=splits)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(format_report(report, misses=not args.no_misses))
        if "logs" in report:
            print("\n" + format_logs(report["logs"]))
    if args.check:
        short = failures(report)
        for line in short:
            print(f"chsm: under the bar: {line}", file=sys.stderr)
        return 1 if short else 0
    return 0


def _serve(args) -> int:
    from bot.slack.run import serve

    corpus, index = _paths(args)
    return serve(corpus, index, http=args.http, host=args.host, port=args.port)


def _manifest(args) -> int:
    from bot.slack.manifest import manifest_yaml

    print(manifest_yaml(args.http_url), end="")
    return 0


def _open_state(what: str):
    """The state `chsm serve` uses (Redis when CHSM_REDIS_URL is set, else
    SQLite in CHSM_DATA_DIR), or a one-line ConfigError when it can't be
    read: a report from an empty in-memory fallback would be a lie."""
    import logging

    from bot.config import settings
    from bot.errors import ConfigError
    from bot.slack.state import LocalState, open_state

    logging.getLogger().addHandler(logging.NullHandler())  # the store's own log line would repeat ours
    cfg = settings()
    store = open_state(cfg)  # Redis: pings once, so status() already tells
    if store.backend == "redis":
        _check_redis(store)
    elif isinstance(store, LocalState) and not store.persistent:
        why = (store.degraded or "").split(";")[0]
        raise ConfigError(f"cannot read the {what} in {cfg.chsm_data_dir}: {why}")
    return store


def _check_redis(store) -> None:
    """After a call: a Redis that failed it made the store answer from memory."""
    if store.backend == "redis" and store.status().get("status") != "ok":
        from bot.errors import ConfigError

        raise ConfigError(f"cannot reach Redis at {store.address}")


def _feedback(args) -> int:
    from bot.slack.feedback import format_summary

    store = _open_state("feedback database")
    rows = store.summary()
    _check_redis(store)
    print(format_summary(rows))
    return 0


def _report(args) -> int:
    from bot.config import settings
    from bot.report import build_report, empty_sentence, format_text

    days = settings().chsm_report_days if args.days is None else args.days
    if not 0 < days <= 3650:
        raise UsageError("--days takes a number of days above 0 (at most 3650)")
    store = _open_state("bot's database")
    until = time.time()
    since = until - days * 86400
    items = store.report_items(since)
    _check_redis(store)
    report = build_report(items, since=since, until=until)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(empty_sentence(report) if report.empty else format_text(report))
    return 0


COMMANDS = {
    "ask": _ask,
    "triage": _triage,
    "index": _index,
    "eval": _eval,
    "serve": _serve,
    "manifest": _manifest,
    "feedback": _feedback,
    "report": _report,
}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    args.debug = getattr(args, "debug", False)
    try:
        return COMMANDS[args.cmd](args)
    except ChsmError as exc:
        if args.debug:
            raise
        print(f"chsm: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a bug: one line unless --debug
        if args.debug:
            raise
        print(f"chsm: internal error: {type(exc).__name__}: {exc} (run with --debug for details)", file=sys.stderr)
        return 1
