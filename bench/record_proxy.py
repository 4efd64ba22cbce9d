#!/usr/bin/env python3
"""A recording HTTP proxy in front of a search engine, for the raw baseline
of bench/run.sh: the server under test talks to the engine through it while
bench/record.py sends its GraphQL requests one at a time, and each request's
engine calls (method, path, body) are kept, so that the very same calls can
be replayed straight to the engine (`cargo bench --bench replay`).

    bench/record_proxy.py LISTEN_PORT TARGET_URL

GET /__calls returns the calls recorded since the last GET /__calls as JSON
and forgets them. Recording only; never used in a measured run.
"""
import http.client
import json
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port = int(sys.argv[1])
target = urllib.parse.urlsplit(sys.argv[2])
calls = []
lock = threading.Lock()


class Proxy(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *_):
        pass

    def _forward(self):
        if self.path == "/__calls":
            with lock:
                body = json.dumps(calls).encode()
                calls.clear()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        body = self._body()
        headers = {k: v for k, v in self.headers.items()
                   if k.lower() not in ("host", "content-length", "connection", "transfer-encoding")}
        conn = http.client.HTTPConnection(target.hostname, target.port or 80, timeout=600)
        conn.request(self.command, self.path, body=body or None, headers=headers)
        answer = conn.getresponse()
        data = answer.read()
        conn.close()
        # Only what answers searches is replayed: searches, multi-searches
        # and facet searches; task polls, stats and the like are not.
        if self.command == "POST" and any(p in self.path for p in ("/search", "/multi-search", "/facet-search")):
            with lock:
                calls.append({"method": self.command, "path": self.path, "body": json.loads(body or b"null")})
        self.send_response(answer.status)
        for k, v in answer.getheaders():
            if k.lower() not in ("content-length", "transfer-encoding", "connection"):
                self.send_header(k, v)
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self):
        # The Meilisearch client streams its bodies (chunked).
        if "chunked" in (self.headers.get("transfer-encoding") or "").lower():
            parts = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("content-length") or 0)
        return self.rfile.read(length) if length else b""

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _forward


ThreadingHTTPServer(("127.0.0.1", port), Proxy).serve_forever()
