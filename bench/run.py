#!/usr/bin/env python3
"""Benchmark castdown against Hugo on the generated corpus (bench/gen_corpus.py).

For each size: a warm-up build of each engine, then RUNS pairs of clean builds, alternating
castdown and Hugo, each timed with wait4 (wall, user+sys CPU, peak RSS). Prints per engine
the median wall, CPU and memory, and the castdown/Hugo ratio per pair and its median. Also:
the I/O floor (copying castdown's output tree right after each of its builds, and the
ratio per pair), search's share of castdown's build, the
index's size, what search queries download in headless Chromium (bench/search.mjs: a first
query, Show more, typos, typing), and serve's one-file rebuild time. With more
than one size: how time per episode grows from the smallest size to the largest, from each
size's runs and again from pairs of builds of the two made back to back.

With --baseline PATH (another castdown binary, say one built from main before a change),
each run builds with it too, alternating, and prints the new/baseline ratios per pair and
serve's rebuild times for both: a before/after comparison measured in the same run. Its
reusing builds alternate with castdown's too, on a copy of the corpus of its own.

Usage: bench/run.py [--sizes 1000,10000] [--runs 5] [--work bench/work] [--no-hugo]
                    [--castdown PATH] [--baseline PATH]
Needs: a release build (cargo build --release) and `hugo` (apt-get install hugo).
"""
import argparse
import glob
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
CASTDOWN = os.path.join(REPO, "target", "release", "castdown")


def timed(cmd, cwd=None):
    """Runs cmd; returns (wall s, cpu s, peak rss MB)."""
    start = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - start
    err = p.stderr.read().decode(errors="replace")
    p.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"{' '.join(cmd)} failed ({code}):\n{err}")
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024.0


def clean(path):
    shutil.rmtree(path, ignore_errors=True)
    subprocess.run(["sync"])


def castdown_build(root, binary=None):
    """A clean build: no output, and none of what a build keeps beside it for the next
    (parsed digests, counted search words), which would spare it most of its work."""
    out = os.path.join(root, "public")
    for kept in glob.glob(os.path.join(root, ".public.castdown-*")):
        if not kept.endswith("-lock"):
            os.remove(kept)
    clean(out)
    return timed([binary or CASTDOWN, "build", "--quiet", "--root", root])


def copy_time(public, dst):
    """Wall seconds of `cp -r` copying `public` to `dst` (a fresh copy; removed after)."""
    clean(dst)
    start = time.perf_counter()
    subprocess.run(["cp", "-r", public, dst], check=True)
    wall = time.perf_counter() - start
    clean(dst)
    return wall


def hugo_build(root):
    out = os.path.join(root, "public")
    clean(out)
    return timed(["hugo", "--quiet", "--source", root])


def search_fetches(public, word, typo, long_typo):
    """What the search page downloads, measured in headless Chromium by bench/search.mjs:
    a first query, Show more pages, queries with a typo, the word typed letter by letter."""
    browser = os.path.join(HERE, "..", "tests", "browser")
    if not os.path.isdir(os.path.join(browser, "node_modules", "playwright-core")):
        return None, "needs playwright-core: run `npm ci` in tests/browser (bash tests/run does)"
    out = subprocess.run(["node", os.path.join(HERE, "search.mjs"), public, word, typo, long_typo],
                         capture_output=True, text=True)
    if out.returncode != 0:
        return None, out.stderr.strip()
    return json.loads(out.stdout), None


def index_size(public):
    s = os.path.join(public, "search")
    files = [os.path.join(dp, f) for dp, _, fs in os.walk(s) for f in fs]
    return len(files), sum(os.path.getsize(f) for f in files)


def newest_episode(root):
    """Path and slug of the newest digest (it is in the site feeds, the costliest body edit)."""
    best = None
    episodes = os.path.join(root, "content", "episodes")
    for dp, _, fs in os.walk(episodes):
        for f in fs:
            if f.endswith(".md"):
                path = os.path.join(dp, f)
                with open(path) as fh:
                    date = next((l.split(":", 1)[1].strip() for l in fh if l.startswith("date:")), "")
                if best is None or (date, path) > best[:2]:
                    best = (date, path, f[:-3])
    return best[1], best[2]


def serve_rebuild(root, kind="body", edits=7, binary=None):
    """Median one-file rebuild time reported by serve, and edit-to-visible latency.

    kind "body" appends a paragraph to the newest digest (serve redoes that episode's page,
    digest.json and the site feeds); "title" changes its title, which the lists it is on
    show (the pages showing its card); "new" adds a digest, which changes the model (a full
    incremental rebuild: every page declared and fingerprinted, the changed ones rendered)."""
    p = subprocess.Popen([binary or CASTDOWN, "serve", "--port", "0", "--root", root], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    url = re.search(r"at (http://\S+)", line).group(1)
    # Wait for the initial build line.
    while "initial build" not in p.stderr.readline():
        pass
    path, slug = newest_episode(root)
    original = open(path).read()
    rebuilds, visible = [], []
    added = []
    try:
        for i in range(edits):
            marker = f"benchmark-edit-{i}-{time.time_ns()}"
            start = time.perf_counter()
            if kind == "new":
                slug = f"benchmark-new-{i}"
                new = os.path.join(os.path.dirname(path), f"{slug}.md")
                added.append(new)
                open(new, "w").write(f"---\ntitle: {marker}\ndate: 2001-01-01\nshow: Benchmark\n---\n{marker}\n")
            elif kind == "body":
                edited = original + f"\n{marker}\n"
            else:
                # Inside the quotes when the title is quoted.
                edited = re.sub(r"^title: ([\"']?)", lambda m: f"title: {m.group(1)}{marker} ", original, count=1, flags=re.M)
            if kind != "new":
                open(path, "w").write(edited)
            while True:
                if time.perf_counter() - start > 60:
                    sys.exit(f"serve never showed the {kind} edit of {path}")
                try:
                    with urllib.request.urlopen(f"{url}episodes/{slug}/") as r:
                        if marker in r.read().decode():
                            break
                except urllib.error.HTTPError:
                    pass
            visible.append((time.perf_counter() - start) * 1000)
            # Skip "search index refreshed" lines: the next rebuild line is this edit's.
            while True:
                m = re.search(r"rebuilt \d+ files in (\d+) ms", p.stderr.readline())
                if m:
                    rebuilds.append(int(m.group(1)))
                    break
            # Longer than serve's 400 ms pause, so each edit starts from a fresh search index.
            time.sleep(0.2 if kind == "body" else 2.0)
    finally:
        open(path, "w").write(original)
        for f in added:
            os.remove(f)
        p.terminate()
        p.wait()
    return statistics.median(rebuilds) if rebuilds else None, statistics.median(visible)



def reuse_builds(sites, runs=3):
    """`castdown build` reusing the previous output after one edit (body, title, a new
    newest digest, a new digest dated five years back, a deleted digest from the middle of
    the archive, a new digest beside a body edit of that middle one, a new digest with its
    1 MB audio file under static/, a word added to a transcript), against clean builds of the same site in the same run: median wall seconds and
    the files the build wrote (its summary line counts them). Each edit comes 2 s after the
    last build, as a person's would.

    `sites` is a list of (binary, site folder): one, or a castdown and a baseline, each on
    its own copy of the corpus (a binary reuses only its own output). With two, every
    build of one is followed by the same build of the other (clean builds too), so that
    the machine's drift over minutes falls on both alike. Returns, per site, the median
    clean wall seconds and {kind: (median wall s, median files written)}, and the
    per-pair ratios of the first site's walls to the second's: {kind: [ratio, ...]}."""
    import re

    def build(binary, root):
        start = time.perf_counter()
        p = subprocess.run([binary, "build", "--root", root], capture_output=True, text=True)
        wall = time.perf_counter() - start
        if p.returncode != 0:
            sys.exit(f"castdown build failed:\n{p.stderr}")
        m = re.search(r"\((\d+) written, (\d+) unchanged\)", p.stderr)
        return wall, (int(m.group(1)), int(m.group(2))) if m else None

    class Corpus:
        """One site's digests to edit and put back."""
        def __init__(self, root):
            self.root = root
            self.path, _ = newest_episode(root)
            self.original = open(self.path).read()
            self.new_dir = os.path.dirname(self.path)
            # The digest a deletion removes: the middle one of the archive by file name.
            every = sorted(os.path.join(d, f) for d, _, fs in os.walk(os.path.join(root, "content", "episodes"))
                           for f in fs if f.endswith(".md"))
            self.gone = every[len(every) // 2]
            self.gone_text = open(self.gone).read()
            # The transcript a transcript edit mends: the first by file name.
            vtts = sorted(os.path.join(d, f) for d, _, fs in os.walk(os.path.join(root, "content", "episodes"))
                          for f in fs if f.endswith(".vtt"))
            self.vtt = vtts[0] if vtts else None
            self.vtt_text = open(self.vtt).read() if self.vtt else None
            self.new_file = None
            self.audio = None

        def edit(self, kind, marker):
            self.new_file = os.path.join(self.new_dir, f"zz-{marker}.md")
            if kind == "body":
                open(self.path, "w").write(self.original + f"\n{marker}\n")
            elif kind == "title":
                open(self.path, "w").write(re.sub(r"^title: ([\"']?)", lambda m: f"title: {m.group(1)}{marker} ",
                                                  self.original, count=1, flags=re.M))
            elif kind == "deleted":
                os.remove(self.gone)
            elif kind == "transcript":
                # A word added to the last line of a transcript (its text, the same file).
                open(self.vtt, "w").write(self.vtt_text.rstrip("\n") + f" {marker}\n")
            elif kind == "mended":
                # A new newest digest, and a line mended in an older one at the same time.
                self.write_new(marker, 1)
                open(self.gone, "w").write(self.gone_text + f"\n{marker}\n")
            elif kind == "audio":
                # A new newest digest published with its audio (1 MB) under static/.
                self.audio = os.path.join(self.root, "static", "audio", f"{marker}.mp3")
                os.makedirs(os.path.dirname(self.audio), exist_ok=True)
                open(self.audio, "wb").write(os.urandom(1 << 20))
                self.write_new(marker, 1, f"\nmedia: {{ url: /audio/{marker}.mp3 }}")
            else:
                self.write_new(marker, 1 if kind == "new" else -5)

        def write_new(self, marker, years, extra=""):
            """A new digest, a copy of the newest titled `marker` (followed by the front
            matter lines `extra`) and dated `years` later."""
            text = re.sub(r"^title: .*$", f"title: {marker}{extra}", self.original, count=1, flags=re.M)
            text = re.sub(r"^date: (\d{4})", lambda m: f"date: {int(m.group(1)) + years}", text, count=1, flags=re.M)
            open(self.new_file, "w").write(text)

        def restore(self):
            open(self.path, "w").write(self.original)
            open(self.gone, "w").write(self.gone_text)
            if self.vtt:
                open(self.vtt, "w").write(self.vtt_text)
            for f in (self.new_file, self.audio):
                if f and os.path.exists(f):
                    os.remove(f)

    corpora = [Corpus(root) for _, root in sites]
    cleans = [[] for _ in sites]
    for _ in range(runs):
        for k, (binary, root) in enumerate(sites):
            cleans[k].append(castdown_build(root, binary)[0])
    # A clean build records no stamps of its folders, so the build after it looks through
    # the whole output (80 ms more at 10,000 digests): a person's builds after the first
    # do not, and neither does the first edit measured here.
    for binary, root in sites:
        time.sleep(2.1)
        build(binary, root)
    walls = [{} for _ in sites]
    written = [{} for _ in sites]
    kinds = ["body", "title", "new", "backdated", "deleted", "mended", "audio"]
    if all(c.vtt for c in corpora):
        kinds.append("transcript")
    for kind in kinds:
        for r in range(runs):
            for k, (binary, root) in enumerate(sites):
                # A person edits seconds after the last build, not within the 2 s in which a
                # build distrusts the stamps it just took (of folders and files, whose clocks
                # tick coarsely) and looks again; a build right after another measures that.
                time.sleep(2.1)
                corpora[k].edit(kind, f"reuse-bench-{kind}-{r}-{time.time_ns()}")
                wall, counts = build(binary, root)
                walls[k].setdefault(kind, []).append(wall)
                written[k].setdefault(kind, []).append(counts[0] if counts else -1)
                # Back to the corpus as it was, rebuilt (not measured).
                corpora[k].restore()
                build(binary, root)
    results = [(statistics.median(cleans[k]),
                {kind: (statistics.median(w), statistics.median(written[k][kind])) for kind, w in walls[k].items()})
               for k in range(len(sites))]
    ratios = {}
    if len(sites) == 2:
        ratios = {kind: [a / b for a, b in zip(walls[0][kind], walls[1][kind])] for kind in walls[0]}
    return results, ratios


def reuse_instructions(root, binary=None):
    """Instructions (valgrind's callgrind: counted, not timed, so the same whatever else the
    machine does) of `castdown build` reusing the previous output after no edit and after
    a body edit of the newest digest: what a change to the reusing build saves, where its
    wall time drowns in the VM's noise. `None` when valgrind is not installed."""
    import re
    binary = binary or CASTDOWN
    if shutil.which("valgrind") is None:
        return None
    path, _ = newest_episode(root)
    original = open(path).read()

    def build(counted):
        cmd = [binary, "build", "--root", root]
        if counted:
            cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"] + cmd
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode != 0:
            sys.exit(f"castdown build failed:\n{p.stderr}")
        m = re.search(r"refs:\s+([\d,]+)", p.stderr)
        return int(m.group(1).replace(",", "")) if m else None

    # This binary's own output, made anew, its folders stamped by a build after it (as a
    # person's builds are, seconds apart). Made anew so that each binary is counted from
    # the same state: the file of parsed digests the reusing builds above appended to holds
    # superseded records to decode (83M more instructions after no edit at 10,000 digests
    # for the binary counted first, whose output that was).
    castdown_build(root, binary)
    time.sleep(2.1)
    build(False)
    time.sleep(2.1)
    none = build(True)
    open(path, "w").write(original + f"\ninstructions-bench-{time.time_ns()}\n")
    time.sleep(2.1)
    body = build(True)
    open(path, "w").write(original)
    build(False)
    return none, body

def main():
    global CASTDOWN
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--work", default=os.path.join(HERE, "work"))
    ap.add_argument("--no-hugo", action="store_true")
    ap.add_argument("--hugo-max", type=int, default=None,
                    help="build Hugo only for sizes up to this (Hugo 0.111 needs over 23 GB at 100,000)")
    ap.add_argument("--search-word", default="market")
    ap.add_argument("--search-typo", default="makret", help="a one-edit typo of --search-word")
    ap.add_argument("--search-long-typo", default="stratgey", help="a typo in a word of 8+ letters")
    ap.add_argument("--castdown", default=CASTDOWN, help="the castdown binary to measure")
    ap.add_argument("--baseline", default=None, help="another castdown binary to compare with, run by run")
    ap.add_argument("--instructions", action="store_true",
                    help="also count the instructions of a reusing build after no edit and after a body edit (valgrind)")
    args = ap.parse_args()
    CASTDOWN = os.path.abspath(args.castdown)
    base = os.path.abspath(args.baseline) if args.baseline else None
    if not os.path.exists(CASTDOWN):
        sys.exit("build castdown first: cargo build --release")
    hugo = not args.no_hugo and shutil.which("hugo")
    if not args.no_hugo and not hugo:
        sys.exit("hugo not found: apt-get install hugo (or pass --no-hugo)")
    print(f"castdown: {subprocess.run([CASTDOWN, '--version'], capture_output=True, text=True).stdout.strip()} ({CASTDOWN})")
    if base:
        print(f"baseline: {base}")
    if hugo:
        print(f"hugo: {subprocess.run(['hugo', 'version'], capture_output=True, text=True).stdout.strip()}")
    print(f"machine: {os.cpu_count()} cores; runs per engine: {args.runs} after one warm-up\n")
    per_episode = {}
    for n in [int(x) for x in args.sizes.split(",")]:
        work = os.path.join(args.work, str(n))
        cd_root, hg_root = os.path.join(work, "castdown"), os.path.join(work, "hugo")
        if not os.path.exists(os.path.join(cd_root, "castdown.yaml")):
            print(f"generating {n} digests…", flush=True)
            subprocess.run([sys.executable, os.path.join(HERE, "gen_corpus.py"), str(n), work], check=True)
        with_hugo = hugo and (args.hugo_max is None or n <= args.hugo_max)
        castdown_build(cd_root)
        if with_hugo:
            hugo_build(hg_root)
        if base:
            castdown_build(cd_root, base)
        cd_runs, hg_runs, base_runs, copies = [], [], [], []
        public = os.path.join(cd_root, "public")
        for _ in range(args.runs):
            cd_runs.append(castdown_build(cd_root))
            # The I/O floor right after the build it is compared with: on a disk, the same
            # copy takes longer as a run goes on (4.4 s, then 7 s, then 10 s for a clean
            # build here), so copies timed after every build were compared with builds timed
            # earlier, on a faster disk.
            copies.append(copy_time(public, os.path.join(work, "copy")))
            if base:
                base_runs.append(castdown_build(cd_root, base))
            if with_hugo:
                hg_runs.append(hugo_build(hg_root))
        med = lambda runs, k: statistics.median(r[k] for r in runs)
        print(f"## N = {n}")
        print("| engine | wall s (median) | CPU s | peak MB |")
        print("|---|---|---|---|")
        print(f"| castdown | {med(cd_runs, 0):.2f} | {med(cd_runs, 1):.2f} | {med(cd_runs, 2):.0f} |")
        if base:
            print(f"| castdown baseline | {med(base_runs, 0):.2f} | {med(base_runs, 1):.2f} | {med(base_runs, 2):.0f} |")
        if hugo and not with_hugo:
            print(f"| hugo | not run (--hugo-max {args.hugo_max}) | | |")
        if with_hugo:
            print(f"| hugo | {med(hg_runs, 0):.2f} | {med(hg_runs, 1):.2f} | {med(hg_runs, 2):.0f} |")
            ratios = [c[0] / h[0] for c, h in zip(cd_runs, hg_runs)]
            mem = [c[2] / h[2] for c, h in zip(cd_runs, hg_runs)]
            print(f"\nwall ratio castdown/hugo per pair: {', '.join(f'{r:.2f}' for r in ratios)}; median {statistics.median(ratios):.2f}")
            print(f"peak memory ratio per pair: {', '.join(f'{r:.2f}' for r in mem)}; median {statistics.median(mem):.2f}")
        if base:
            for label, k in (("wall", 0), ("CPU", 1), ("peak memory", 2)):
                r = [c[k] / b[k] for c, b in zip(cd_runs, base_runs)]
                print(f"{label} ratio castdown/baseline per pair: {', '.join(f'{x:.2f}' for x in r)}; median {statistics.median(r):.2f}")
        per_episode[n] = med(cd_runs, 0) / n
        files = sum(len(fs) for _, _, fs in os.walk(public))
        size = sum(os.path.getsize(os.path.join(dp, f)) for dp, _, fs in os.walk(public) for f in fs)
        floor = statistics.median(copies)
        per_pair = [c[0] / f for c, f in zip(cd_runs, copies)]
        print(f"output: {files} files, {size / 1e6:.0f} MB; I/O floor (cp -r of it right after each castdown build): "
              f"{', '.join(f'{f:.2f}' for f in copies)} s, median {floor:.2f} s")
        print(f"castdown/floor per pair: {', '.join(f'{r:.2f}' for r in per_pair)}; median {statistics.median(per_pair):.2f}")
        # Search's share: the same site with search off.
        ns = os.path.join(work, "castdown-nosearch")
        if not os.path.exists(ns):
            os.makedirs(ns)
            # A hard-linked copy: a symlinked content/ would put transcripts outside the site.
            subprocess.run(["cp", "-al", os.path.join(cd_root, "content"), os.path.join(ns, "content")], check=True)
            open(os.path.join(ns, "castdown.yaml"), "w").write(open(os.path.join(cd_root, "castdown.yaml")).read() + "search: false\n")
        castdown_build(ns)
        without = statistics.median(castdown_build(ns)[0] for _ in range(5))
        # Outputs are deleted once measured: at 100,000 digests each is ~5 GB, and keeping
        # them filled the 16 GB file system the README suggests.
        clean(os.path.join(ns, "public"))
        with_search = statistics.median(castdown_build(cd_root)[0] for _ in range(5))
        print(f"search index: build {with_search:.2f} s with vs {without:.2f} s without: "
              f"{(with_search - without) / with_search * 100:.0f}% of the build")
        nfiles, nbytes = index_size(public)
        print(f"search index: {nfiles} files, {nbytes / 1e6:.1f} MB (plus each episode's digest.json, read for snippets)")
        fetched, err = search_fetches(public, args.search_word, args.search_typo, args.search_long_typo)
        if fetched is None:
            print(f"search fetches: not measured ({err[-300:]})")
        else:
            line = lambda name, r: (f"search {name} '{r['query']}': {r['kb']:.0f} KB in {r['files']} files as served, "
                                    f"{r['kb_host_gzip']:.0f} KB from a host that gzips JSON ({r['status']}"
                                    + (f" {r['suggest']}" if r.get('suggest') else "") + ")")
            print(line("first query", fetched["first_query"]))
            for name in ("typo_query", "long_typo_query"):
                if name in fetched:
                    print(line(name.replace("_", " "), fetched[name]))
            for i, p in enumerate(fetched["show_more"], 1):
                print(f"search Show more page {i}: {p['kb']:.0f} KB in {p['files']} files as served, {p['kb_host_gzip']:.0f} KB gzipped by the host")
            print(line("typed letter by letter", fetched["typed"]))
        if n <= 20000:
            kinds = (("body", "body edit of the newest digest"), ("title", "title edit of the newest digest"), ("new", "a new digest (full incremental rebuild)"))
            for kind, what in kinds:
                for label, binary in (("", CASTDOWN),) + ((("baseline ", base),) if base else ()):
                    reb, vis = serve_rebuild(cd_root, kind, binary=binary)
                    print(f"serve {label}: {what}: median rebuild {reb} ms (serve's own timing); edit to page visible over HTTP {vis:.0f} ms (includes 25 ms debounce)")
        # With a baseline, each binary on its own copy of the corpus (it reuses only its own
        # output), their builds alternating.
        names = {"body": "one body edit", "title": "one title edit", "new": "one new digest",
                 "backdated": "one new digest dated five years back", "deleted": "one deleted digest",
                 "mended": "one new digest and a body edit of an older one",
                 "audio": "one new digest with its audio under static/",
                 "transcript": "one transcript's text edited"}
        sites = [(CASTDOWN, cd_root)]
        if base:
            base_root = os.path.join(work, "castdown-baseline")
            clean(base_root)
            os.makedirs(base_root)
            subprocess.run(["cp", "-r", os.path.join(cd_root, "content"), os.path.join(cd_root, "castdown.yaml"), base_root],
                           check=True)
            sites.append((base, base_root))
        reused, ratios = reuse_builds(sites, runs=min(args.runs, 3))
        for label, (clean_wall, kinds) in zip(("", "baseline "), reused):
            for kind, (wall, written) in kinds.items():
                print(f"build {label}reusing the last output, {names[kind]}: median {wall:.2f} s = "
                      f"{wall / clean_wall * 100:.0f}% of a clean build ({clean_wall:.2f} s, same run); {written} files written")
        for kind, r in ratios.items():
            print(f"build reusing the last output, {names[kind]}: castdown/baseline per pair "
                  f"{', '.join(f'{x:.2f}' for x in r)}; median {statistics.median(r):.2f}")
        if base:
            clean(base_root)
        if args.instructions:
            counted = {}
            for label, binary in (("", CASTDOWN),) + ((("baseline ", base),) if base else ()):
                counted[label] = reuse_instructions(cd_root, binary)
                if counted[label] is None:
                    print("instructions: not measured (install valgrind)")
                    break
                none, body = counted[label]
                print(f"instructions {label}of a build reusing the last output: after no edit {none:,}; after a body edit {body:,}")
            if base and all(counted.get(k) for k in ("", "baseline ")):
                (n1, b1), (n0, b0) = counted[""], counted["baseline "]
                print(f"instructions castdown/baseline: after no edit {n1 / n0:.3f}; after a body edit {b1 / b0:.3f}")
        clean(public)
        clean(os.path.join(hg_root, "public"))
        print(flush=True)
    if len(per_episode) > 1:
        sizes = sorted(per_episode)
        a, b = sizes[0], sizes[-1]
        print(f"time per episode (each size's own runs above): {per_episode[a] * 1e3:.3f} ms at {a}, {per_episode[b] * 1e3:.3f} ms at {b} ({(per_episode[b] / per_episode[a] - 1) * 100:+.0f}%)")
        # The sizes above are measured minutes apart, and this VM's speed drifts over
        # minutes: the same comparison again in pairs, a build of each size back to back.
        roots = [os.path.join(args.work, str(n), "castdown") for n in (a, b)]
        growth = []
        for _ in range(args.runs):
            small, large = (castdown_build(r)[0] for r in roots)
            growth.append((large / b) / (small / a))
            for r in roots:
                clean(os.path.join(r, "public"))
        print(f"time per episode at {b} / at {a}, {a} and {b} built back to back: {', '.join(f'{g:.2f}' for g in growth)}; median {statistics.median(growth):.2f}")


if __name__ == "__main__":
    main()
