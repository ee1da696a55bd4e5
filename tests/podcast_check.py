#!/usr/bin/env python3
"""Check a built site's RSS feed as a podcast directory would: Apple Podcasts' required
channel and item tags, the Podcasting 2.0 tags castdown writes, and every chapters file the
feed points at (`version`, `chapters[].startTime` in order). Prints a summary; exits 1 on
any problem.

Usage: podcast_check.py OUTPUT_DIR BASE_URL
"""
import json
import pathlib
import re
import sys
import xml.etree.ElementTree as ET

ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
PODCAST = "{https://podcastindex.org/namespace/1.0}"


def local(out: pathlib.Path, base: str, url: str) -> pathlib.Path:
    assert url.startswith(base), f"{url} is not on the site {base}"
    return out / url[len(base):]


def main() -> int:
    out, base = pathlib.Path(sys.argv[1]), sys.argv[2]
    problems = []
    channel = ET.parse(out / "rss.xml").getroot().find("channel")
    # Apple: https://podcasters.apple.com/support/823-podcast-requirements
    for tag in ["title", "link", "description", "language"]:
        if not (channel.findtext(tag) or "").strip():
            problems.append(f"channel has no <{tag}>")
    image = channel.find(f"{ITUNES}image")
    if image is None or not image.get("href", "").startswith("https://"):
        problems.append("channel has no absolute itunes:image href")
    category = channel.find(f"{ITUNES}category")
    if category is None or not category.get("text"):
        problems.append("channel has no itunes:category")
    if channel.findtext(f"{ITUNES}explicit") not in ("true", "false"):
        problems.append("itunes:explicit is not true or false")
    owner = channel.find(f"{ITUNES}owner")
    if owner is None or "@" not in (owner.findtext(f"{ITUNES}email") or ""):
        problems.append("no itunes:owner with an email")
    if channel.findtext(f"{ITUNES}type") not in ("episodic", "serial"):
        problems.append("itunes:type is not episodic or serial")
    guid = channel.findtext(f"{PODCAST}guid") or ""
    if not re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", guid):
        problems.append(f"podcast:guid {guid!r} is not a UUIDv5")
    locked = channel.find(f"{PODCAST}locked")
    if locked is None or locked.text not in ("yes", "no") or "@" not in locked.get("owner", ""):
        problems.append("podcast:locked is not yes/no with an owner")
    items = channel.findall("item")
    enclosures = chapters = 0
    for item in items:
        title = item.findtext("title") or "?"
        if not (item.findtext("guid") or "").strip():
            problems.append(f"{title}: no guid")
        enc = item.find("enclosure")
        if enc is not None:
            enclosures += 1
            if not enc.get("url", "").startswith(("https://", "http://")) or not enc.get("type"):
                problems.append(f"{title}: enclosure without an absolute url and a type")
            if enc.get("length") in ("0", ""):
                problems.append(f"{title}: enclosure length {enc.get('length')!r}")
            art = item.find(f"{ITUNES}image")
            if art is None or not art.get("href", "").startswith("https://"):
                problems.append(f"{title}: no itunes:image")
        for ch in item.findall(f"{PODCAST}chapters"):
            chapters += 1
            if ch.get("type") != "application/json+chapters":
                problems.append(f"{title}: podcast:chapters type {ch.get('type')!r}")
            data = json.loads(local(out, base, ch.get("url", "")).read_text(encoding="utf-8"))
            starts = [c.get("startTime") for c in data.get("chapters", [])]
            if not data.get("version"):
                problems.append(f"{title}: chapters.json has no version")
            if not starts or any(not isinstance(s, (int, float)) for s in starts) or starts != sorted(starts) or len(set(starts)) != len(starts):
                problems.append(f"{title}: chapters startTime not in order: {starts}")
        for tr in item.findall(f"{PODCAST}transcript"):
            if not local(out, base, tr.get("url", "")).is_file() or not tr.get("type"):
                problems.append(f"{title}: podcast:transcript does not name a published file and type")
    for p in problems:
        print(f"podcast_check: {p}")
    print(f"podcast_check: {len(items)} items, {enclosures} enclosures, {chapters} chapter files; "
          f"{'0 problems' if not problems else str(len(problems)) + ' problems'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
