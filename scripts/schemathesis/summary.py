"""Summarises a schemathesis HAR report against the baseline: prints the
requests by status and the GraphQL errors by code, and fails on any 5xx, any
INTERNAL_SERVER_ERROR, any code outside the baseline, or too few requests."""

import collections
import json
import sys


def main(har_path: str, baseline_path: str) -> int:
    baseline = json.load(open(baseline_path, encoding="utf-8"))
    entries = json.load(open(har_path, encoding="utf-8"))["log"]["entries"]
    statuses = collections.Counter()
    codes = collections.Counter()
    problems = []
    for entry in entries:
        status = entry["response"]["status"]
        statuses[status] += 1
        text = entry["response"].get("content", {}).get("text") or ""
        try:
            body = json.loads(text)
        except ValueError:
            body = {}
        if status == 0 or status >= 500:
            problems.append(f"HTTP {status} for {entry['request'].get('postData', {}).get('text', '')[:200]}")
        for error in (body.get("errors") or []) if isinstance(body, dict) else []:
            code = (error.get("extensions") or {}).get("code")
            codes[code] += 1
            if code not in baseline["allowed_codes"]:
                problems.append(f"unexpected code {code!r}: {error.get('message', '')[:200]}")
    print(f"schemathesis: {len(entries)} requests")
    print("  by status: " + ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items())))
    print("  GraphQL errors by code (reference run in parentheses):")
    reference = baseline.get("reference_codes", {})
    for code in sorted(set(codes) | set(reference), key=str):
        print(f"    {code}: {codes.get(code, 0)} ({reference.get(code, 0)})")
    if len(entries) < baseline["min_requests"]:
        problems.append(f"only {len(entries)} requests; at least {baseline['min_requests']} are required")
    for problem in problems[:50]:
        print(f"  FAIL {problem}")
    print(f"schemathesis: {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
