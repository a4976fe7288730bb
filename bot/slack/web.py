"""HTTP mode: /slack/events (Bolt, signature-checked), /healthz, /metrics,
as one WSGI app served by waitress (Bolt's built-in server has a listen
backlog of 5 and stalls acks under ten concurrent senders)."""

import json
import time

from prometheus_client import CONTENT_TYPE_LATEST
from slack_bolt.adapter.wsgi import SlackRequestHandler

EVENTS_PATH = "/slack/events"


def wsgi_app(app, svc):
    bolt = SlackRequestHandler(app, path=EVENTS_PATH)

    def respond(start_response, status: str, body: bytes, ctype: str = "application/json"):
        start_response(status, [("Content-Type", ctype), ("Content-Length", str(len(body)))])
        return [body]

    def application(environ, start_response):
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
        if path == EVENTS_PATH:
            if method != "POST":
                return respond(start_response, "405 Method Not Allowed", b'{"error":"POST only"}')
            started = time.perf_counter()
            try:
                return bolt(environ, start_response)
            finally:
                svc.metrics.ack.observe(time.perf_counter() - started)
        if path == "/healthz" and method == "GET":
            health = svc.health()
            status = "200 OK" if health["status"] == "ok" else "503 Service Unavailable"
            return respond(start_response, status, json.dumps(health).encode())
        if path == "/metrics" and method == "GET":
            return respond(start_response, "200 OK", svc.metrics.render(), CONTENT_TYPE_LATEST)
        return respond(start_response, "404 Not Found", b'{"error":"not found"}')

    return application
