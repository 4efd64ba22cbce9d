#!/usr/bin/env python3
"""Sends GraphQL bodies to a server one at a time and writes, per body, the
engine calls the recording proxy saw it make (bench/record_proxy.py): one
JSON array per line, in the order of the bodies.

    bench/record.py GRAPHQL_URL PROXY_URL BODIES.jsonl OUT.jsonl
"""
import json
import sys
import urllib.request

graphql, proxy, bodies, out = sys.argv[1:5]


def post(url, data):
    request = urllib.request.Request(url, data=data, headers={"content-type": "application/json"})
    return urllib.request.urlopen(request, timeout=600).read()


def calls():
    return json.loads(urllib.request.urlopen(proxy + "/__calls", timeout=60).read())


calls()  # whatever came before, e.g. the start's checks
written = 0
with open(out, "w") as sink:
    for line in open(bodies):
        post(graphql, line.strip().encode())
        seen = calls()
        if seen:
            sink.write(json.dumps(seen) + "\n")
            written += 1
print(f"recorded the engine calls of {written} requests", file=sys.stderr)
