// The player as a listener uses it, on the listening fixture (a 4-second tone hosted on the
// site, chapters, body timestamps, a transcript; a YouTube episode; a plain web page): the
// audio plays, a body timestamp and a transcript cue seek it, speed and position are kept,
// the YouTube embed fetches nothing before a click, and the pages are axe-clean at 375 px.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { REPO, assertAxeClean, builtAndServed, launch, openPage } from "./helpers.mjs";

const SHOTS = join(import.meta.dirname, "screenshots");

let site, browser;
before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  site = await builtAndServed("/sub/", join(REPO, "tests", "fixtures", "listening"));
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await site?.close();
});

const time = (page) => page.evaluate(() => document.querySelector(".player-media").currentTime);

test("the audio plays, and a body timestamp seeks it and plays", async () => {
  const { page, context, problems } = await openPage(browser);
  await page.goto(site.base + "episodes/with-audio/");
  // Nothing is fetched before the listener asks.
  assert.equal(site.requests.filter((p) => p.endsWith("tone.wav")).length, 0);
  await page.locator(".body a.ts", { hasText: "0:02" }).first().click();
  await page.waitForFunction(() => { const m = document.querySelector(".player-media"); return m.currentTime >= 2 && !m.paused; });
  const t = await time(page);
  assert.ok(t >= 2 && t < 3.5, `currentTime ${t}`);
  // The page did not navigate to the file.
  assert.match(page.url(), /episodes\/with-audio\/$/);
  // It keeps playing.
  await page.waitForFunction(() => document.querySelector(".player-media").currentTime > 2.3);
  assert.deepEqual(problems, []);
  await context.close();
});

test("a transcript cue shown in place seeks the player", async () => {
  const { page, context } = await openPage(browser);
  await page.goto(site.base + "episodes/with-audio/");
  await page.getByRole("button", { name: "Show transcript here" }).click();
  await page.locator(".transcript-slot a.ts", { hasText: "0:02" }).click();
  await page.waitForFunction(() => document.querySelector(".player-media").currentTime >= 2);
  const t = await time(page);
  assert.ok(t >= 2 && t < 3.5, `currentTime ${t}`);
  await context.close();
});

test("chapters seek; speed and the position are remembered per episode", async () => {
  const { page, context } = await openPage(browser);
  await page.goto(site.base + "episodes/with-audio/");
  await page.getByLabel("Speed").selectOption("1.5");
  await page.locator(".chapters a.ts", { hasText: "0:01" }).click();
  await page.waitForFunction(() => { const m = document.querySelector(".player-media"); return m.currentTime >= 1 && !m.paused; });
  assert.equal(await page.evaluate(() => document.querySelector(".player-media").playbackRate), 1.5);
  await page.evaluate(() => document.querySelector(".player-media").pause());
  const saved = await page.evaluate(() => localStorage.getItem("castdown:position:with-audio"));
  assert.ok(Number(saved) >= 1, `saved ${saved}`);
  // Pretend the listener left at 0:02 a while ago, then came back.
  await page.evaluate(() => localStorage.setItem("castdown:position:with-audio", "6"));
  await page.reload();
  assert.equal(await page.locator(".player-resume").textContent(), "Resumes at 0:06");
  assert.equal(await page.getByLabel("Speed").inputValue(), "1.5");
  await context.close();
});

test("the YouTube embed fetches nothing from YouTube before a click", async () => {
  const { page, context } = await openPage(browser);
  const outside = [];
  page.on("request", (r) => { if (!r.url().startsWith("http://127.0.0.1")) outside.push(r.url()); });
  // Keep the test offline: answer the video site with an empty page.
  await page.route(/^https:\/\/[^/]*youtube/, (route) => route.fulfill({ status: 200, contentType: "text/html", body: "<title>player</title>" }));
  await page.goto(site.base + "episodes/on-youtube/");
  await page.waitForTimeout(300);
  assert.deepEqual(outside, []);
  assert.equal(await page.locator("iframe").count(), 0);
  await page.getByRole("button", { name: /Play here/ }).click();
  await page.waitForSelector("iframe");
  assert.equal(await page.locator("iframe").getAttribute("src"), "https://www.youtube-nocookie.com/embed/abcdefghijk?autoplay=1");
  assert.ok(outside.some((u) => u.startsWith("https://www.youtube-nocookie.com/embed/abcdefghijk")), outside.join());
  // A timestamp now restarts the embedded player at that time.
  await page.locator(".body a.ts", { hasText: "1:05" }).first().click();
  assert.equal(await page.locator("iframe").getAttribute("src"), "https://www.youtube-nocookie.com/embed/abcdefghijk?autoplay=1&start=65");
  await context.close();
});

test("without JavaScript, timestamps are links to the moment", async () => {
  const { page, context } = await openPage(browser, { javaScriptEnabled: false });
  await page.goto(site.base + "episodes/with-audio/");
  assert.equal(await page.locator(".player-tools").isVisible(), false);
  const href = await page.locator(".body a.ts").first().getAttribute("href");
  assert.equal(href, "/sub/audio/tone.wav#t=2");
  await page.goto(site.base + "episodes/on-youtube/");
  assert.equal(await page.locator(".embed-load").isVisible(), false);
  assert.equal(await page.locator(".embed-link").getAttribute("href"), "https://www.youtube.com/watch?v=abcdefghijk");
  await context.close();
});

for (const [name, path] of Object.entries({ "episode-player": "episodes/with-audio/", "episode-embed": "episodes/on-youtube/", "episode-web": "episodes/on-web/" })) {
  test(`${name}: no horizontal scroll at 375 px, axe clean in light and dark`, async () => {
    const { page, context, problems } = await openPage(browser, { viewport: { width: 375, height: 800 } });
    await page.goto(site.base + path);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `horizontal scroll of ${overflow}px`);
    await page.screenshot({ path: join(SHOTS, `${name}-375.png`), fullPage: true });
    await assertAxeClean(page);
    assert.deepEqual(problems, []);
    await context.close();
  });
}
