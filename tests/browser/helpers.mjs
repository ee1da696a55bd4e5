// Shared helpers for the browser tests: build a site with the debug binary, serve the output
// over HTTP on 127.0.0.1 (a sub-path is supported), and launch Debian's Chromium headless.
import { spawnSync } from "node:child_process";
import { createServer } from "node:http";
import { mkdtempSync, readFileSync, statSync, existsSync, cpSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, extname, resolve, normalize, sep } from "node:path";
import { chromium } from "playwright-core";
import assert from "node:assert/strict";
import { createRequire } from "node:module";

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

export const REPO = resolve(import.meta.dirname, "..", "..");
export const BIN = join(REPO, "target", "debug", "castdown");

const TYPES = {
  ".html": "text/html; charset=utf-8", ".css": "text/css", ".js": "text/javascript",
  ".json": "application/json", ".xml": "application/xml", ".txt": "text/plain; charset=utf-8",
  ".vtt": "text/vtt", ".srt": "text/plain", ".png": "image/png", ".svg": "image/svg+xml",
  ".wav": "audio/wav", ".mp3": "audio/mpeg",
};

/** Serves `state.dir` at `http://127.0.0.1:<port><prefix>`; records every path requested.
 * The folder can be set after the port is known (the site is built for that URL). */
export async function serveDir(dir, prefix = "/") {
  const requests = [];
  const state = { dir };
  const server = createServer((req, res) => {
    const dir = state.dir;
    const url = new URL(req.url, "http://x");
    requests.push(url.pathname);
    let path = decodeURIComponent(url.pathname);
    if (!path.startsWith(prefix)) { res.writeHead(404); res.end(); return; }
    path = normalize(join(dir, path.slice(prefix.length)));
    if (!path.startsWith(resolve(dir))) { res.writeHead(403); res.end(); return; }
    if (existsSync(path) && statSync(path).isDirectory()) path = join(path, "index.html");
    if (!existsSync(path)) {
      res.writeHead(404, { "content-type": TYPES[".html"] });
      res.end(existsSync(join(dir, "404.html")) ? readFileSync(join(dir, "404.html")) : "");
      return;
    }
    const type = TYPES[extname(path)] || "application/octet-stream";
    const body = readFileSync(path);
    // Byte ranges, as hosts serve media: a player seeks with them.
    const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range || "");
    if (range && (range[1] || range[2])) {
      const len = body.length;
      let start = range[1] ? Number(range[1]) : Math.max(0, len - Number(range[2]));
      let end = range[1] && range[2] ? Math.min(Number(range[2]), len - 1) : len - 1;
      if (start >= len || end < start) { res.writeHead(416, { "content-range": `bytes */${len}` }); res.end(); return; }
      res.writeHead(206, { "content-type": type, "accept-ranges": "bytes", "content-range": `bytes ${start}-${end}/${len}` });
      res.end(body.subarray(start, end + 1));
      return;
    }
    res.writeHead(200, { "content-type": type, "accept-ranges": "bytes" });
    res.end(body);
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const port = server.address().port;
  return { server, port, state, base: `http://127.0.0.1:${port}${prefix}`, requests, close: () => new Promise((ok) => server.close(ok)) };
}

/** Copies a site (the repo demo by default) to a temp dir, builds it for `baseUrl`. */
export function buildSite(baseUrl, siteRoot = REPO) {
  const work = mkdtempSync(join(tmpdir(), "castdown-browser-"));
  for (const part of ["castdown.yaml", "content", "static", "templates", "themes"]) {
    const from = join(siteRoot, part);
    if (existsSync(from)) cpSync(from, join(work, part), { recursive: true });
  }
  const out = join(work, "public");
  const r = spawnSync(BIN, ["build", "--quiet", "--root", work, "--output", out, "--base-url", baseUrl], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`castdown build failed:\n${r.stderr}`);
  return { root: work, out };
}

/** Builds the demo (or `siteRoot`) for the server's own URL and serves it under `prefix`. */
export async function builtAndServed(prefix = "/digests/", siteRoot = REPO) {
  const srv = await serveDir(null, prefix);
  const { root, out } = buildSite(srv.base, siteRoot);
  srv.state.dir = out;
  // Closing also removes the copy it was built from.
  const close = async () => {
    await srv.close();
    rmSync(root, { recursive: true, force: true });
  };
  return { ...srv, root, out, close };
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
}

/** Opens a page that records console errors and failed requests. */
export async function openPage(browser, options = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const problems = [];
  page.on("console", (m) => { if (m.type() === "error") problems.push(`console: ${m.text()}`); });
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  // A request the browser itself cancels (a reload or navigation while the favicon is still
  // loading) is not the site's fault; a missing file shows up as an HTTP status below.
  page.on("requestfailed", (r) => {
    const why = r.failure()?.errorText ?? "";
    if (why !== "net::ERR_ABORTED") problems.push(`requestfailed: ${r.url()} (${why})`);
  });
  page.on("response", (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
  return { context, page, problems };
}

/** Runs axe-core on the page in light and dark: no serious or critical violation. */
export async function assertAxeClean(page) {
  await page.addScriptTag({ path: AXE });
  for (const scheme of ["light", "dark"]) {
    await page.emulateMedia({ colorScheme: scheme });
    const bad = await page.evaluate(async () => {
      // eslint-disable-next-line no-undef
      const r = await axe.run(document, { resultTypes: ["violations"] });
      return r.violations
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
    });
    assert.deepEqual(bad, [], `${scheme}: ${JSON.stringify(bad, null, 1)}`);
  }
}
