// `castdown serve`: an open page reloads by itself after an edit, shows a bad edit's error
// in an overlay, and recovers on the next good edit.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BIN, REPO, launch, openPage } from "./helpers.mjs";

let server, base, root, browser;

before(async () => {
  root = mkdtempSync(join(tmpdir(), "castdown-serve-"));
  for (const part of ["castdown.yaml", "content", "themes"]) cpSync(join(REPO, part), join(root, part), { recursive: true });
  server = spawn(BIN, ["serve", "--port", "0", "--root", root], { stdio: ["ignore", "pipe", "pipe"] });
  base = await new Promise((ok, fail) => {
    let out = "";
    server.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/at (http:\/\/\S+)/);
      if (m) ok(m[1]);
    });
    server.on("exit", (c) => fail(new Error(`serve exited with ${c}`)));
  });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  server?.kill("SIGINT");
  // serve stops before its folder goes: it must not rebuild into a half-removed site.
  if (server && server.exitCode === null) await new Promise((ok) => server.once("exit", ok));
  if (root) rmSync(root, { recursive: true, force: true });
});

const FILE = () => join(root, "content/episodes/2025/flaky-tests.md");

test("an open page reloads by itself after an edit, and shows build errors", async () => {
  const { page, context, problems } = await openPage(browser);
  await page.goto(base + "episodes/flaky-tests/");
  await page.waitForFunction(() => window.EventSource !== undefined);
  // Give the event stream a moment to connect.
  await page.waitForTimeout(300);
  const original = readFileSync(FILE(), "utf8");
  writeFileSync(FILE(), original.replace("Flaky tests: quarantine, fix, or delete?", "Flaky tests: edited live"));
  await page.waitForFunction(() => document.querySelector("h1")?.textContent === "Flaky tests: edited live", null, { timeout: 10000 });
  // A bad edit: the overlay explains, the page keeps the last good content.
  writeFileSync(FILE(), original.replace("date: 2025-10-08", "date: 2025-10-99"));
  const overlay = page.getByRole("alert");
  await overlay.waitFor({ timeout: 10000 });
  assert.match(await overlay.innerText(), /flaky-tests\.md:\d+:\d+: error: `2025-10-99` is not a valid date/);
  assert.equal(await page.locator("h1").innerText(), "Flaky tests: edited live");
  // The next good edit recovers: overlay gone, page reloaded.
  writeFileSync(FILE(), original);
  await page.waitForFunction(() => document.querySelector("h1")?.textContent === "Flaky tests: quarantine, fix, or delete?", null, { timeout: 10000 });
  assert.equal(await page.getByRole("alert").count(), 0);
  assert.deepEqual(problems.filter((p) => !p.includes("__castdown/events")), []);
  await context.close();
});

test("search works on the preview: compressed index files, a typo forgiven", async () => {
  const { page, context, problems } = await openPage(browser);
  await page.goto(base + "search/?q=monorepo");
  await page.waitForFunction(() => document.querySelectorAll("#search-results li").length >= 1);
  await page.goto(base + "search/?q=monorepoo");
  // The count is announced once the results are on the page; the suggestion comes before
  // them (waiting for it alone raced the results).
  await page.waitForFunction(() => /^\d+ results?\.$/.test(document.getElementById("search-status").textContent));
  assert.match(await page.locator("#search-suggest").innerText(), /Did you mean monorepo\?/);
  assert.ok(await page.locator("#search-results li").count() >= 1);
  // Leaving a page cuts its live-reload stream; nothing else may fail.
  assert.deepEqual(problems.filter((p) => !p.includes("/__castdown/events")), []);
  await context.close();
});
