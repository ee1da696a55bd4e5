#!/usr/bin/env python3
"""Deterministic benchmark corpus: N episode digests written both as a castdown site and as an
equivalent Hugo site (taxonomy `concepts`, `shows`, `people`; per-term pages and RSS; home
list; episode pages; paginated like castdown's lists).

Each digest has ~600-1,200 words, 3-6 concepts drawn from ~300 names with a Zipf-like
distribution, one of 8 shows, 1-3 people, a date within ten years; ~10% carry a fenced code
block and ~5% a WebVTT transcript (castdown only; Hugo has no equivalent feature).

Usage: gen_corpus.py N OUT_DIR [--seed 42]   (writes OUT_DIR/castdown and OUT_DIR/hugo)
"""
import argparse
import datetime
import os
import random
import shutil

WORDS = (
    "system model market team product user growth data design risk cost price value chain "
    "signal noise network platform partner contract strategy capital compute training inference "
    "latency budget release quality test build deploy review incident culture hiring manager "
    "engineer founder investor revenue margin customer support feedback metric experiment theory "
    "practice history future policy regulation privacy security trust audience content creator "
    "editor summary episode interview guest host question answer argument evidence example story "
    "lesson mistake decision tradeoff constraint scale speed focus habit routine process tool "
    "library framework language compiler database cache queue index search ranking relevance"
).split()
SHOWS = ["Founders at Lunch", "The Build Log", "Signal & Noise", "Deep Dive Weekly",
         "Market Hours", "Code & Coffee", "The Long Interview", "Policy Desk"]
FIRST = ["Ada", "Grace", "Alan", "Barbara", "Edsger", "Frances", "Ken", "Margaret", "Linus",
         "Radia", "Donald", "Hedy", "Tim", "Katherine", "Dennis", "Sophie", "Priya", "Jonas",
         "Lena", "Tomás", "Ana", "Mara", "Sam", "Dee"]
LAST = ["Host", "Guest", "Okafor", "Lindqvist", "Raman", "Weller", "Ortiz", "Ruiz", "Berg",
        "Akintola", "Moreau", "Tanaka", "Novak", "Silva", "Kowalski", "Haddad"]
ADJ = ["Open", "Hidden", "Shared", "Fast", "Slow", "Distributed", "Local", "Global", "Lean",
       "Deep", "Flat", "Vertical", "Soft", "Hard", "Long", "Short", "Dynamic", "Static"]
NOUN = ["Partnership", "Moat", "Pricing", "Debt", "Loop", "Funnel", "Pipeline", "Cache",
        "Market", "Network Effect", "Platform", "Contract", "Runway", "Margin", "Index",
        "Consensus", "Review", "Incentive"]


def concept_names():
    names = []
    for a in ADJ:
        for n in NOUN:
            names.append(f"{a} {n}")
    return names[:300]


def zipf_choice(rng, items, k, s=1.1):
    weights = [1.0 / ((i + 1) ** s) for i in range(len(items))]
    chosen = []
    while len(chosen) < k:
        c = rng.choices(items, weights=weights)[0]
        if c not in chosen:
            chosen.append(c)
    return chosen


def paragraph(rng, n):
    words = [rng.choice(WORDS) for _ in range(n)]
    words[0] = words[0].capitalize()
    return " ".join(words) + "."


def yaml_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def slug(s):
    out = "".join(c.lower() if c.isalnum() else "-" for c in s)
    return "-".join(p for p in out.split("-") if p)


def vtt(rng, cues):
    lines = ["WEBVTT", ""]
    t = 0
    for i in range(cues):
        a, b = t, t + rng.randint(3, 9)
        lines.append(f"{a // 3600:02d}:{a // 60 % 60:02d}:{a % 60:02d}.000 --> {b // 3600:02d}:{b // 60 % 60:02d}:{b % 60:02d}.000")
        lines.append(f"<v {rng.choice(FIRST)}>{paragraph(rng, rng.randint(8, 20))}")
        lines.append("")
        t = b
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    concepts = concept_names()
    people = [f"{f} {l}" for f in FIRST for l in LAST][:200]
    cd = os.path.join(args.out, "castdown")
    hg = os.path.join(args.out, "hugo")
    for d in (cd, hg):
        shutil.rmtree(d, ignore_errors=True)
    os.makedirs(os.path.join(cd, "content", "episodes"))
    os.makedirs(os.path.join(hg, "content", "episodes"))
    with open(os.path.join(cd, "castdown.yaml"), "w") as f:
        f.write("title: Benchmark Digests\nbase_url: https://bench.example/\ndescription: A generated corpus.\npaginate: 20\nfeed_limit: 50\n")
    write_hugo_site(hg)
    start = datetime.date(2015, 1, 1)
    for i in range(args.n):
        title = f"{rng.choice(ADJ)} {rng.choice(NOUN).lower()} and the {rng.choice(WORDS)} {rng.choice(WORDS)} #{i}"
        date = start + datetime.timedelta(days=rng.randrange(3650))
        show = rng.choice(SHOWS)
        ppl = rng.sample(people, rng.randint(1, 3))
        cs = zipf_choice(rng, concepts, rng.randint(3, 6))
        defs = [paragraph(rng, rng.randint(10, 18)) for _ in cs]
        words_target = rng.randint(600, 1200)
        body = [paragraph(rng, 40)]
        words = 40
        sec = 0
        while words < words_target:
            sec += 1
            body.append(f"## Section {sec}: {rng.choice(WORDS)} {rng.choice(WORDS)}")
            for _ in range(rng.randint(2, 4)):
                n = rng.randint(40, 90)
                body.append(paragraph(rng, n))
                words += n
            if rng.random() < 0.3:
                body.append("\n".join(f"- **{rng.choice(WORDS).capitalize()}**: {paragraph(rng, 12)}" for _ in range(3)))
                words += 39
        if rng.random() < 0.10:
            body.append("```rust\nfn main() {\n    let total: u64 = (1..=10).sum();\n    println!(\"{total}\");\n}\n```")
        body_text = "\n\n".join(body) + "\n"
        name = f"ep{i:06d}"
        sub = f"{date.year}"
        has_transcript = rng.random() < 0.05
        fm = [
            "---",
            f"title: {yaml_str(title)}",
            f"show: {yaml_str(show)}",
            f"date: {date.isoformat()}",
            f"source: https://www.youtube.com/watch?v=v{i:08d}",
            f"duration: \"{rng.randint(20, 90)}:{rng.randint(0, 59):02d}\"",
            "people: [" + ", ".join(yaml_str(p) for p in ppl) + "]",
            "concepts:",
        ]
        for c, d in zip(cs, defs):
            fm.append(f"  - name: {yaml_str(c)}")
            fm.append(f"    definition: {yaml_str(d)}")
        if has_transcript:
            fm.append(f"transcript: {name}.vtt")
        fm.append("---")
        d = os.path.join(cd, "content", "episodes", sub)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, name + ".md"), "w") as f:
            f.write("\n".join(fm) + "\n" + body_text)
        if has_transcript:
            with open(os.path.join(d, name + ".vtt"), "w") as f:
                f.write(vtt(rng, 120))
        hfm = [
            "---",
            f"title: {yaml_str(title)}",
            f"date: {date.isoformat()}",
            f"slug: {name}",
            f"summary: {yaml_str(body[0])}",
            "shows: [" + yaml_str(show) + "]",
            "people: [" + ", ".join(yaml_str(p) for p in ppl) + "]",
            "concepts: [" + ", ".join(yaml_str(c) for c in cs) + "]",
            "---",
        ]
        hd = os.path.join(hg, "content", "episodes", sub)
        os.makedirs(hd, exist_ok=True)
        with open(os.path.join(hd, name + ".md"), "w") as f:
            f.write("\n".join(hfm) + "\n" + body_text)


def write_hugo_site(hg):
    files = {
        "hugo.toml": """baseURL = "https://bench.example/"
title = "Benchmark Digests"
paginate = 20
rssLimit = 50
disableKinds = []
[taxonomies]
  concept = "concepts"
  show = "shows"
  person = "people"
[outputs]
  home = ["HTML", "RSS"]
  section = ["HTML"]
  taxonomy = ["HTML"]
  term = ["HTML", "RSS"]
  page = ["HTML"]
[markup.highlight]
  noClasses = false
[permalinks]
  episodes = "/episodes/:slug/"
""",
        "layouts/_default/baseof.html": """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }} · {{ .Site.Title }}</title>
<meta name="description" content="{{ .Summary | plainify | truncate 200 }}">
<link rel="canonical" href="{{ .Permalink }}"></head>
<body><header><a href="{{ "/" | relURL }}">{{ .Site.Title }}</a></header>
<main>{{ block "main" . }}{{ end }}</main></body></html>
""",
        "layouts/_default/single.html": """{{ define "main" }}<article><h1>{{ .Title }}</h1>
<p>{{ range .GetTerms "shows" }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a>{{ end }} · {{ .Date.Format "2 January 2006" }}</p>
<ul>{{ range .GetTerms "people" }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>
<dl>{{ range .GetTerms "concepts" }}<dt><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></dt>{{ end }}</dl>
{{ .Content }}
</article>{{ end }}
""",
        "layouts/_default/list.html": """{{ define "main" }}<h1>{{ .Title }}</h1>
<ol>{{ range (.Paginate .Pages).Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Date.Format "2006-01-02" }}<p>{{ .Summary | plainify | truncate 200 }}</p></li>{{ end }}</ol>
{{ template "_internal/pagination.html" . }}{{ end }}
""",
        "layouts/_default/terms.html": """{{ define "main" }}<h1>{{ .Title }}</h1>
<ul>{{ range .Data.Terms.Alphabetical }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> {{ .Count }}</li>{{ end }}</ul>{{ end }}
""",
        "layouts/index.html": """{{ define "main" }}<h1>Latest episodes</h1>
<ol>{{ range (.Paginate .Site.RegularPages).Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Date.Format "2006-01-02" }}<p>{{ .Summary | plainify | truncate 200 }}</p></li>{{ end }}</ol>
{{ template "_internal/pagination.html" . }}{{ end }}
""",
    }
    for rel, text in files.items():
        p = os.path.join(hg, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
