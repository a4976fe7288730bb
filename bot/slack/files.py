"""Files shared in a DM: checked, then downloaded with the bot token, from
Slack only, into a private folder.

The token goes only to Slack's file hosts over HTTPS (slack.com and
*.slack.com: files.slack.com serves `url_private_download`) and to the
configured SLACK_API_URL origin (scheme, host and port as configured: http
is allowed there, for tests and proxies). Redirects are followed by hand, at
most a few, each hop checked: the token goes only to those hosts, Slack's
CDN (*.slack-edge.com, HTTPS) is followed without it, and anything else is
refused. A file on another host is never fetched and the reply says why.

Limits: the per-file size is enforced while streaming (and from the
Content-Length before), and all downloads of one message share one
deadline; a read that stalls ends within READ_TIMEOUT of it. What a server
sends back is never echoed: refusals are our own sentences.
"""

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

if TYPE_CHECKING:  # imported where a download starts: httpx imports its CLI's rich and click too, 0.15 s
    import httpx

TEXT_SUFFIXES = (".log", ".txt", ".gz", ".out", ".err")
GZIP_TYPES = ("application/gzip", "application/x-gzip")
MAX_REDIRECTS = 3
READ_TIMEOUT = 10.0
MAX_NAME = 100


@dataclass
class Fetched:
    name: str
    path: str | None
    refused: str | None  # why it was skipped, for the reply


class Refused(Exception):
    pass


def _origin(url: str) -> tuple[str, str, int] | None:
    try:
        u = urlsplit(url)
        port = u.port or {"https": 443, "http": 80}.get(u.scheme)
    except ValueError:
        return None
    if not u.hostname or port is None:
        return None
    return u.scheme, u.hostname.lower().rstrip("."), port


class HostPolicy:
    """Where the bot token may go, and which redirects may be followed."""

    TOKEN_DOMAINS = ("slack.com",)  # and its subdomains
    CDN_DOMAINS = ("slack-edge.com",)  # followed, never given the token

    def __init__(self, api_url: str):
        self.api = _origin(api_url)

    @staticmethod
    def _under(host: str, domains) -> bool:
        return any(host == d or host.endswith("." + d) for d in domains)

    def may_send_token(self, url: str) -> bool:
        o = _origin(url)
        if o is None:
            return False
        if o == self.api:
            return True
        scheme, host, _ = o
        return scheme == "https" and self._under(host, self.TOKEN_DOMAINS)

    def may_follow(self, url: str) -> bool:
        o = _origin(url)
        if o is None:
            return False
        return self.may_send_token(url) or (o[0] == "https" and self._under(o[1], self.CDN_DOMAINS))


def looks_textual(f: dict) -> bool:
    name = str(f.get("name") or "").lower()
    mime = str(f.get("mimetype") or "").lower()
    return name.endswith(TEXT_SUFFIXES) or mime.startswith("text/") or mime in GZIP_TYPES


def display_name(f: dict) -> str:
    for key in ("name", "title", "id"):
        v = f.get(key)
        if isinstance(v, str) and v.strip():
            v = " ".join(v.split())
            return v if len(v) <= MAX_NAME else v[: MAX_NAME - 1] + "…"
    return "a file"


def _mb(n: float) -> str:
    return f"{n / 1e6:.1f} MB" if n < 10e6 else f"{n / 1e6:.0f} MB"


def fetch(files: list[dict], *, token: str, api_url: str, max_bytes: int, seconds: float, folder: str,
          clock: Callable[[], float] = time.monotonic, transport: "httpx.BaseTransport | None" = None) -> list[Fetched]:
    import httpx

    policy = HostPolicy(api_url)
    end = clock() + seconds
    out: list[Fetched] = []
    with httpx.Client(follow_redirects=False, trust_env=False, transport=transport) as http:
        for i, f in enumerate(files):
            name = display_name(f)
            if not looks_textual(f):
                raw_mime = f.get("mimetype")
                mime = raw_mime if isinstance(raw_mime, str) else "unknown type"
                out.append(Fetched(name, None, f"skipped {name}: not a text log ({mime[:60]})"))
                continue
            size = f.get("size")
            if isinstance(size, (int, float)) and size > max_bytes:
                out.append(Fetched(name, None, f"skipped {name}: {_mb(size)} is over the {_mb(max_bytes)} limit"))
                continue
            url = f.get("url_private_download") or f.get("url_private")
            if not isinstance(url, str) or not url.startswith(("https://", "http://")):
                out.append(Fetched(name, None, f"skipped {name}: Slack gave no download link"))
                continue
            if not policy.may_send_token(url):
                host = (_origin(url) or ("", "an unknown host", 0))[1]
                out.append(Fetched(name, None, f"skipped {name}: its link points to {host[:80]}, not to Slack, so I did not download it"))
                continue
            if clock() >= end:
                out.append(Fetched(name, None, f"skipped {name}: downloading took over {seconds:.0f} s in all"))
                continue
            path = os.path.join(folder, f"{i:02d}.bin")
            try:
                _download(http, policy, url, token, path, max_bytes, end, seconds, clock)
                out.append(Fetched(name, path, None))
            except Refused as exc:
                out.append(Fetched(name, None, f"skipped {name}: {exc.args[0]}"))
                Path(path).unlink(missing_ok=True)
    return out


def _download(http: "httpx.Client", policy: HostPolicy, url: str, token: str, path: str, max_bytes: int, end: float, seconds: float, clock) -> None:
    import httpx

    for _hop in range(MAX_REDIRECTS + 1):
        if not policy.may_follow(url):
            host = (_origin(url) or ("", "an unknown host", 0))[1]
            raise Refused(f"the download was redirected to {host[:80]}, outside Slack, so I stopped")
        headers = {"Accept-Encoding": "identity"}
        if policy.may_send_token(url):
            headers["Authorization"] = f"Bearer {token}"
        left = end - clock()
        if left <= 0:
            raise Refused(f"downloading took over {seconds:.0f} s")
        timeout = httpx.Timeout(min(READ_TIMEOUT, left), connect=min(5.0, left))
        try:
            with http.stream("GET", url, headers=headers, timeout=timeout) as resp:
                if resp.is_redirect:
                    location = resp.headers.get("location")
                    if not location:
                        raise Refused("Slack sent a redirect without a target")
                    url = urljoin(url, location)
                    continue
                if resp.status_code != 200:
                    raise Refused(f"Slack answered HTTP {resp.status_code} to the download")
                length = resp.headers.get("content-length")
                if length and length.isdigit() and int(length) > max_bytes:
                    raise Refused(f"{_mb(int(length))} is over the {_mb(max_bytes)} limit")
                size = 0
                with open(path, "wb") as out:
                    for chunk in resp.iter_raw():  # as sent: a gzip'd body stays gzip, which triage opens
                        size += len(chunk)
                        if size > max_bytes:
                            raise Refused(f"it is over the {_mb(max_bytes)} limit")
                        if clock() > end:
                            raise Refused(f"downloading took over {seconds:.0f} s")
                        out.write(chunk)
                return
        except httpx.TimeoutException:
            raise Refused("the download stalled" if clock() < end else f"downloading took over {seconds:.0f} s") from None
        except httpx.HTTPError:
            raise Refused("the download failed (network error)") from None
        except OSError:
            raise Refused("I could not store it (disk trouble on my side)") from None
    raise Refused("too many redirects")
