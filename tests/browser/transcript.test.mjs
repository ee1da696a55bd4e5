// The episode page offers its transcript on demand: pressing the button fetches it and shows
// it in place without navigating; without JavaScript a plain link remains.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { builtAndServed, launch, openPage } from "./helpers.mjs";

let site, browser;
before(async () => {
  site = await builtAndServed("/digests/");
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await site?.close();
});

const EPISODE = "episodes/partnership-without-exclusivity/";

test("pressing the button shows the transcript in place", async () => {
  const { page, problems, context } = await openPage(browser);
  await page.goto(site.base + EPISODE);
  const slot = page.locator(".transcript-slot");
  assert.equal(await page.locator(".transcript-slot .cue").count(), 0, "no transcript before the click");
  assert.ok(!(await page.content()).includes("Welcome back to Founders at Lunch"), "transcript text not inlined");
  const before = site.requests.length;
  const button = page.getByRole("button", { name: "Show transcript here" });
  await button.click();
  await page.locator(".transcript-slot .cue").first().waitFor();
  assert.match(await slot.innerText(), /Welcome back to Founders at Lunch/);
  assert.equal(page.url(), site.base + EPISODE, "did not navigate");
  assert.ok(site.requests.slice(before).some((p) => p.endsWith("/transcript/")), "fetched the transcript page");
  assert.equal(await page.getByRole("button", { name: "Hide transcript" }).getAttribute("aria-expanded"), "true");
  // Timestamps in the loaded transcript link to that second of the episode's media file
  // (the episode has one; the player on the page seeks it instead, see player.test.mjs).
  const href = await page.locator(".transcript-slot a.ts").nth(1).getAttribute("href");
  assert.equal(href, "https://cdn.example.com/audio/founders-at-lunch-112.mp3#t=6");
  assert.equal(await page.locator(".transcript-slot a.ts").nth(1).getAttribute("data-t"), "6");
  assert.deepEqual(problems, []);
  await context.close();
});

test("without JavaScript the button stays hidden and the link works", async () => {
  const { page, context } = await openPage(browser, { javaScriptEnabled: false });
  await page.goto(site.base + EPISODE);
  assert.equal(await page.locator(".transcript-toggle").isVisible(), false);
  await page.getByRole("link", { name: "Read the transcript" }).click();
  await page.waitForURL(/transcript\/$/);
  assert.match(await page.locator("h1").innerText(), /Transcript/);
  assert.match(await page.locator(".transcript-cues").innerText(), /Welcome back to Founders at Lunch/);
  await context.close();
});
