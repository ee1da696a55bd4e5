#!/usr/bin/env python3
"""Parse every feed in the given output folders with feedparser; any `bozo` result fails.

feedparser 6.0.x (the newest release) does not read JSON Feed, so `feed.json` files are
checked here against the JSON Feed 1.1 required fields instead (the Rust tests also read them
with feed-rs).

Usage: feedparser_check.py OUTPUT_DIR...
"""
import json
import pathlib
import sys

import feedparser


def feeds(root: pathlib.Path):
    for path in sorted(root.rglob("*")):
        if path.name in ("atom.xml", "rss.xml", "feed.json"):
            yield path


def check_json_feed(path: pathlib.Path) -> list:
    """JSON Feed 1.1: version URL, title, string ids, content, absolute URLs, RFC 3339 dates."""
    try:
        feed = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as e:
        return [f"invalid JSON: {e}"]
    problems = []
    if feed.get("version") != "https://jsonfeed.org/version/1.1":
        problems.append("version is not https://jsonfeed.org/version/1.1")
    if not isinstance(feed.get("title"), str) or not feed["title"]:
        problems.append("no title")
    if not str(feed.get("feed_url", "")).startswith(("http://", "https://")):
        problems.append("feed_url is not absolute")
    if not isinstance(feed.get("authors"), list) or not feed["authors"]:
        problems.append("no authors")
    items = feed.get("items")
    if not isinstance(items, list):
        return problems + ["items is not a list"]
    for item in items:
        if not isinstance(item.get("id"), str):
            problems.append(f"item id is not a string: {item.get('id')!r}")
        if not (isinstance(item.get("content_html"), str) or isinstance(item.get("content_text"), str)):
            problems.append(f"item without content: {item.get('id')!r}")
        if not str(item.get("url", "")).startswith(("http://", "https://")):
            problems.append(f"item url is not absolute: {item.get('id')!r}")
        date = str(item.get("date_published", ""))
        if len(date) < 20 or date[10] != "T" or not (date.endswith("Z") or date[-6] in "+-"):
            problems.append(f"date_published is not RFC 3339 with a zone: {date!r}")
    return problems


def main() -> int:
    passed, failed = 0, 0
    for arg in sys.argv[1:]:
        root = pathlib.Path(arg)
        found = list(feeds(root))
        if not found:
            print(f"FAIL {root}: no feeds found")
            failed += 1
        for path in found:
            if path.suffix == ".json":
                problems = check_json_feed(path)
                if problems:
                    failed += 1
                    print(f"FAIL {path}: " + "; ".join(problems))
                else:
                    passed += 1
                continue
            parsed = feedparser.parse(path.read_bytes())
            problems = []
            if parsed.bozo:
                problems.append(f"bozo: {parsed.bozo_exception!r}")
            if not parsed.feed.get("title"):
                problems.append("no feed title")
            for entry in parsed.entries:
                if not entry.get("link", "").startswith(("http://", "https://")):
                    problems.append(f"entry without absolute link: {entry.get('title')!r}")
                if not (entry.get("published_parsed") or entry.get("updated_parsed")):
                    problems.append(f"entry without a parseable date: {entry.get('title')!r}")
                if not entry.get("id"):
                    problems.append(f"entry without id: {entry.get('title')!r}")
            if problems:
                failed += 1
                print(f"FAIL {path}: " + "; ".join(problems))
            else:
                passed += 1
    print(f"feedparser: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
