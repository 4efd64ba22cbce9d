#!/usr/bin/env python3
"""Prints the Markdown table of one bench/run.sh run from its figures/.

    bench/report.py /tmp/tarjotin-bench/10k
"""
import datetime
import json
import os
import platform
import sys

work = sys.argv[1]
fig = os.path.join(work, "figures")


def load(name):
    try:
        return json.load(open(os.path.join(fig, name + ".json")))
    except (OSError, ValueError):
        return None


def oha(name, mode):
    d = load(f"load_{name}_{mode}")
    if not d or "summary" not in d:
        return None
    s, p = d["summary"], d["latencyPercentiles"]
    return {"rps": s["requestsPerSec"], "p50": 1000 * (p.get("p50") or 0), "p99": 1000 * (p.get("p99") or 0),
            "ok": s.get("successRate", 0), "answered": s["requestsPerSec"] * (s.get("total") or 0)}


gen, driver, server = load("generate"), load("driver") or {}, load("server") or {}
size = os.path.basename(work.rstrip("/"))
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
print(f"### {datetime.date.today()} — {size} instances\n")
print(f"Machine: {os.cpu_count()} cores ({cpu}), {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') // 2**30} GiB, shared.")
if gen:
    print(f"Catalogue: {gen['summary'].replace('generated ', '')}; {gen['lines']} lines, {gen['bytes'] / 2**20:.0f} MiB, generated in {gen['seconds']:.1f} s.\n")

print("| import and indexing | figure |\n| --- | ---: |")
for label in ("sqlite", "postgres"):
    d = load(f"import_{label}")
    if d:
        print(f"| `tarjotin import` into {label} | {d['records'] / d['seconds']:,.0f} records/s ({d['seconds']:.0f} s) |")
r = driver.get("rebuild")
if r:
    print(f"| index rebuild through the service (database → documents → index) | {r['service_docs_per_s']:,.0f} docs/s ({r['service_s']:.1f} s, {r['documents']} docs) |")
    print(f"| embedded engine's own bulk load of the same documents | {r['bulk_docs_per_s']:,.0f} docs/s ({r['bulk_load_s']:.1f} s) |")
    print(f"| **ratio rebuild / bulk load** | **{r['ratio_service_over_bulk']:.2f}** |")
d = load("reindex_cli")
if d and r:
    rate = r["documents"] / d["seconds"]
    print(f"| `tarjotin reindex` (the running server rebuilds its embedded index) | {rate:,.0f} docs/s ({d['seconds']:.1f} s) |")
    print(f"| **ratio `tarjotin reindex` / bulk load** | **{rate / r['bulk_docs_per_s']:.2f}** |")
if server:
    print(f"| server start (migrate, rebuild the index, ready) | {server['start_s']:.1f} s |")
meili = load("meili")
if meili and "skipped" in meili:
    print(f"| Meilisearch (`tarjotin reindex`, searches) | skipped: {meili['skipped']} |")
print()

print("| scenario | saturation req/s | p50 ms | p99 ms | fixed-rate p50 ms | fixed-rate p99 ms |\n| --- | ---: | ---: | ---: | ---: | ---: |")
rows = [("`{ __typename }` (framework ceiling)", "typename"), ("search, query mix", "search"),
        ("search with filters and 5 facets", "search_filtered"), ("listing `courses(filter:, first: 20)` + provider + instances", "listing"),
        ("course detail by id, everything nested", "detail"), ("autocomplete `suggest`", "suggest"),
        ("PostGraphile: the equivalent listing", "postgraphile_listing")]
for label, name in rows:
    sat, fixed = oha(name, "saturation"), oha(name, "fixed")
    if not sat:
        continue
    f = fixed or {"p50": float("nan"), "p99": float("nan")}
    note = "" if sat["ok"] >= 0.999 else f" (success {sat['ok']:.3f})"
    print(f"| {label}{note} | {sat['rps']:,.0f} | {sat['p50']:.2f} | {sat['p99']:.2f} | {f['p50']:.2f} | {f['p99']:.2f} |")
raw = driver.get("raw", {})
for name, label in (("search", "raw engine: search, same query mix"), ("search_filtered", "raw engine: search with filters and facets"),
                    ("suggest", "raw engine: suggest")):
    if name in raw:
        d = raw[name]
        print(f"| {label} (in process, 2 threads) | {d['rps']:,.0f} | {d['p50_ms']:.2f} | {d['p99_ms']:.2f} | | |")
print()

# Where a request's CPU goes at saturation: the serving process (Tarjotin or
# PostGraphile) and all of PostgreSQL, per request answered.
cpu_rows = []
for label, name in rows[1:]:
    sat, c = oha(name, "saturation"), load(f"cpu_{name}_saturation")
    if not sat or not c:
        continue
    answered = sat["answered"]
    if answered <= 0:
        continue
    own = 1000 * c["server_ticks"] / c["ticks_per_s"] / answered
    pg = 1000 * c["postgres_ticks"] / c["ticks_per_s"] / answered
    cpu_rows.append(f"| {label} | {own:.2f} | {pg:.2f} | {own + pg:.2f} |")
if cpu_rows:
    print("| CPU per request at saturation | serving process ms | PostgreSQL ms | together ms |\n| --- | ---: | ---: | ---: |")
    print("\n".join(cpu_rows))
    print()

print("| ratio | value | target |\n| --- | ---: | --- |")
for name, label in (("search", "search: GraphQL / raw engine"), ("search_filtered", "filtered search: GraphQL / raw engine"),
                    ("suggest", "suggest: GraphQL / raw engine")):
    sat = oha(name, "saturation")
    if sat and name in raw:
        target = "≥ 0.8" if name == "search" else "(≥ 0.8)"
        print(f"| {label} | {sat['rps'] / raw[name]['rps']:.2f} | {target} |")
ours, theirs = oha("listing", "saturation"), oha("postgraphile_listing", "saturation")
if ours and theirs:
    print(f"| listing: Tarjotin / PostGraphile | {ours['rps'] / theirs['rps']:.2f} | ≥ 3 |")
st = driver.get("statements", {})
if st:
    print(f"| SQL statements, listing first 5 / 20 / 100 | {st['listing_first_5']} / {st['listing_first_20']} / {st['listing_first_100']} | independent of page size |")
    print(f"| SQL statements, search first 5 / 20 / 100 | {st['search_first_5']} / {st['search_first_20']} / {st['search_first_100']} | independent of page size |")
    print(f"| SQL statements, course detail | {st['detail']} | |")
if server:
    print(f"| server peak RSS (VmHWM) | {server['peak_rss_kb'] / 1024:,.0f} MiB (after start {server['rss_after_start_kb'] / 1024:,.0f} MiB) | stated |")

# Meilisearch: the server against the engine's own API on the very calls
# the server made, CPU per request of both processes, indexing and memory.
meili_rows = []
for name, label in (("search", "search, query mix"), ("search_filtered", "search with filters and 5 facets"),
                    ("suggest", "autocomplete `suggest`")):
    sat, c, raw_d = oha(f"meili_{name}", "saturation"), load(f"cpu_meili_{name}_saturation"), load(f"meili_raw_{name}")
    if not sat or not raw_d:
        continue
    answered = sat["answered"] or 1
    hz = (c or {}).get("ticks_per_s", 100)
    own = 1000 * (c or {}).get("server_ticks", 0) / hz / answered
    engine = 1000 * (c or {}).get("meili_ticks", 0) / hz / answered
    raw_answered = (raw_d["answered"] or 1)
    raw_engine = 1000 * raw_d.get("meili_ticks", 0) / raw_d.get("ticks_per_s", 100) / raw_answered
    ratio = sat["rps"] / raw_d["requests_per_s"] if raw_d["requests_per_s"] else float("nan")
    share = own / engine if engine else float("nan")
    meili_rows.append(f"| {label} | {sat['rps']:,.0f} | {sat['p99']:.1f} | {raw_d['requests_per_s']:,.0f} | {raw_d['p99_ms']:.1f} | "
                      f"{raw_d['engine_calls_per_request']:.1f} | **{ratio:.2f}** | {own:.2f} | {engine:.2f} | {raw_engine:.2f} | **{share:.2f}** |")
if meili_rows:
    print()
    print("| Meilisearch scenario | GraphQL req/s | p99 ms | raw engine req/s (same calls) | p99 ms | engine calls per request | **GraphQL / raw** (≥ 0.8) | server CPU ms/req | Meilisearch CPU ms/req | Meilisearch CPU ms/req, raw | **server / engine CPU** (≤ 0.25) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    print("\n".join(meili_rows))
reindex, bulk, served = load("reindex_meili"), load("meili_bulk"), load("server_meili")
if reindex and bulk:
    docs = bulk["documents"]
    ours = docs / reindex["seconds"] if reindex["seconds"] else 0
    print()
    print("| Meilisearch indexing and memory | figure |\n| --- | ---: |")
    print(f"| `tarjotin reindex` from empty (read, analyse, send, swap) | {ours:,.0f} docs/s ({reindex['seconds']:.1f} s) |")
    print(f"| Meilisearch's own bulk load of the same {docs:,} documents | {bulk['docs_per_s']:,.0f} docs/s ({bulk['seconds']:.1f} s) |")
    print(f"| **ratio reindex / bulk load** (≥ 0.8) | **{ours / bulk['docs_per_s']:.2f}** |")
    print(f"| peak RSS of `tarjotin reindex` | {reindex['peak_rss_kb'] / 1024:,.0f} MiB |")
if served:
    print(f"| server on Meilisearch: listening after | {served['listen_s']:.2f} s |")
    print(f"| server on Meilisearch: ready (index current, caught up) after | {served['ready_s']:.2f} s |")
    print(f"| server on Meilisearch: peak RSS after the scenarios | {served['peak_rss_kb'] / 1024:,.0f} MiB |")
