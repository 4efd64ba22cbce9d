#!/usr/bin/env python3
"""Meilisearch's own bulk load of the documents `tarjotin reindex` sends, the
baseline of the server's indexing in bench/run.sh: a fresh index with the
serving index's settings, every document posted as JSON Lines in batches of
the server's page size as fast as the engine takes them, timed from the
index's creation until the last batch is indexed. Prints JSON.

    bench/bulk_load.py MEILI_URL MASTER_KEY SETTINGS_FROM_INDEX NEW_INDEX DOCS.jsonl
"""
import json
import sys
import time
import urllib.request

url, key, source, uid, docs = sys.argv[1:6]
BATCH = 500


def call(method, path, body=None, content_type="application/json"):
    headers = {"content-type": content_type}
    if key:
        headers["authorization"] = f"Bearer {key}"
    data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    request = urllib.request.Request(url + path, data=data, method=method, headers=headers)
    return json.loads(urllib.request.urlopen(request, timeout=600).read() or b"null")


def wait(task):
    while True:
        t = call("GET", f"/tasks/{task}")
        if t["status"] in ("succeeded", "failed", "canceled"):
            if t["status"] != "succeeded":
                sys.exit(f"task {task} {t['status']}: {t.get('error')}")
            return
        time.sleep(0.05)


settings = call("GET", f"/indexes/{source}/settings")
lines = open(docs, "rb").read().splitlines()
started = time.time()
wait(call("POST", "/indexes", {"uid": uid, "primaryKey": "id"})["taskUid"])
wait(call("PATCH", f"/indexes/{uid}/settings", settings)["taskUid"])
last = None
for i in range(0, len(lines), BATCH):
    chunk = b"\n".join(lines[i:i + BATCH])
    last = call("POST", f"/indexes/{uid}/documents", chunk, "application/x-ndjson")["taskUid"]
if last is not None:
    wait(last)
seconds = time.time() - started
count = call("GET", f"/indexes/{uid}/stats")["numberOfDocuments"]
wait(call("DELETE", f"/indexes/{uid}")["taskUid"])
print(json.dumps({"documents": count, "seconds": seconds, "docs_per_s": count / seconds if seconds else 0}))
