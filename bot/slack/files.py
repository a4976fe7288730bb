"""Files shared in a DM: checked, then downloaded with the bot token."""

from dataclasses import dataclass

import httpx

TEXT_SUFFIXES = (".log", ".txt", ".gz", ".out", ".err")


@dataclass
class Fetched:
    name: str
    data: bytes | None
    refused: str | None  # why it was skipped, for the reply


def looks_textual(f: dict) -> bool:
    name = (f.get("name") or "").lower()
    mime = (f.get("mimetype") or "").lower()
    return name.endswith(TEXT_SUFFIXES) or mime.startswith("text/") or mime in ("application/gzip", "application/x-gzip")


def fetch(files: list[dict], token: str, max_bytes: int, timeout: float = 30.0) -> list[Fetched]:
    out = []
    with httpx.Client(timeout=timeout, follow_redirects=True, headers={"Authorization": f"Bearer {token}"}) as http:
        for f in files:
            name = f.get("name") or f.get("title") or f.get("id") or "file"
            if not looks_textual(f):
                out.append(Fetched(name, None, f"skipped {name}: not a text log ({f.get('mimetype') or 'unknown type'})"))
                continue
            if (f.get("size") or 0) > max_bytes:
                out.append(Fetched(name, None, f"skipped {name}: {f['size'] / 1e6:.1f} MB is over the {max_bytes / 1e6:.0f} MB limit"))
                continue
            url = f.get("url_private_download") or f.get("url_private")
            if not url or not url.startswith(("https://", "http://")):
                out.append(Fetched(name, None, f"skipped {name}: Slack gave no download link"))
                continue
            try:
                chunks, size = [], 0
                with http.stream("GET", url) as resp:
                    resp.raise_for_status()
                    for chunk in resp.iter_bytes():
                        size += len(chunk)
                        if size > max_bytes:
                            raise ValueError(f"over the {max_bytes / 1e6:.0f} MB limit")
                        chunks.append(chunk)
                out.append(Fetched(name, b"".join(chunks), None))
            except (httpx.HTTPError, ValueError) as exc:
                out.append(Fetched(name, None, f"skipped {name}: download failed ({str(exc)[:120]})"))
    return out
