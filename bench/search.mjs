// What the search page downloads, measured in headless Chromium (not estimated): serves a
// built site's output folder over HTTP, runs queries as a reader would, and sums the bytes of
// every index file and digest.json the page fetched. Two figures each: the bytes as served
// here (no compression by the host: what a bare S3 bucket sends) and as a host that gzips
// JSON on the fly would send them (GitHub Pages, Netlify, Cloudflare); index files are
// already gzip-compressed, so only digest.json and the manifest differ.
//
// Usage: node bench/search.mjs PUBLIC_DIR WORD TYPO [LONG_TYPO]
// Prints one JSON object. bench/run.py calls it; Chromium and playwright-core come from
// tests/browser (npm ci there).
import { createServer } from "node:http";
import { readFileSync, existsSync, statSync } from "node:fs";
import { join, normalize, extname } from "node:path";
import { gzipSync } from "node:zlib";
import { chromium } from "../tests/browser/node_modules/playwright-core/index.mjs";

const [dir, word, typo, longTypo] = process.argv.slice(2);
const TYPES = { ".html": "text/html; charset=utf-8", ".css": "text/css", ".js": "text/javascript", ".json": "application/json", ".svg": "image/svg+xml", ".gz": "application/gzip" };
let log = [];
const server = createServer((req, res) => {
  let path = normalize(join(dir, decodeURIComponent(new URL(req.url, "http://x").pathname)));
  if (existsSync(path) && statSync(path).isDirectory()) path = join(path, "index.html");
  if (!existsSync(path)) { res.writeHead(404); res.end(); return; }
  const body = readFileSync(path);
  const type = TYPES[extname(path)] || "application/octet-stream";
  const zipped = type === "application/json" ? gzipSync(body).length : body.length;
  log.push({ path: req.url, bytes: body.length, wire: zipped });
  res.writeHead(200, { "content-type": type });
  res.end(body);
});
await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
const base = `http://127.0.0.1:${server.address().port}/`;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});

function data(entries) {
  const d = entries.filter((e) => /\/search\/.+\.json(\.gz)?$/.test(e.path) || e.path.endsWith("/digest.json"));
  const kb = (n) => Math.round(n / 102.4) / 10;
  return { kb: kb(d.reduce((a, e) => a + e.bytes, 0)), kb_host_gzip: kb(d.reduce((a, e) => a + e.wire, 0)), files: d.length };
}
async function settled(page) {
  await page.waitForFunction(() => {
    const s = document.getElementById("search-status").textContent;
    return s && s !== "Searching…";
  }, null, { timeout: 120000 });
}
async function query(q) {
  const context = await browser.newContext();
  const page = await context.newPage();
  log = [];
  const t0 = Date.now();
  await page.goto(base + "search/?q=" + encodeURIComponent(q));
  await settled(page);
  const ms = Date.now() - t0;
  const out = { query: q, status: await page.locator("#search-status").innerText(), suggest: await page.locator("#search-suggest").innerText(), ms, ...data(log) };
  return { out, page, context };
}

const result = {};
const first = await query(word);
result.first_query = first.out;
const pages = [];
for (let i = 0; i < 3 && (await first.page.locator("#search-more").isVisible()); i++) {
  log = [];
  const before = await first.page.locator("#search-results li").count();
  await first.page.locator("#search-more").click();
  await first.page.waitForFunction((b) => document.querySelectorAll("#search-results li").length > b, before);
  pages.push(data(log));
}
result.show_more = pages;
await first.context.close();
for (const [name, q] of [["typo_query", typo], ["long_typo_query", longTypo]]) {
  if (!q) continue;
  const r = await query(q);
  result[name] = r.out;
  await r.context.close();
}
// Typed letter by letter, as a reader does: every keystroke's fetches, summed.
{
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(base + "search/");
  await page.waitForFunction(() => document.querySelectorAll("#search-show option").length > 1);
  log = [];
  await page.locator("#search-q").pressSequentially(word, { delay: 120 });
  await page.waitForTimeout(300);
  await settled(page);
  result.typed = { query: word, status: await page.locator("#search-status").innerText(), ...data(log) };
  await context.close();
}
await browser.close();
server.close();
console.log(JSON.stringify(result));
