// Drive the page in Debian's headless Chromium with playwright-core (no downloaded browser), for the tests:
//   node drive.mjs URL IMAGES.json SCREENSHOT.png
// draws a stroke on the pad with the mouse, classifies the images in IMAGES.json (a list of pixel lists) through
// the page's own onnxruntime-web session, paints the first of them on the pad and reads what the page shows, takes
// a screenshot, and prints one JSON object with what the page computed.
import { readFileSync } from "node:fs";
import { chromium } from "playwright-core";

const [url, imagesFile, screenshot] = process.argv.slice(2);
const images = JSON.parse(readFileSync(imagesFile, "utf8"));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage({ viewport: { width: 900, height: 700 } });
  const errors = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  page.on("requestfailed", (request) => errors.push(`request failed: ${request.url()}`));
  await page.goto(url);
  await page.waitForFunction(() => window.fcnet && (window.fcnet.ready || window.fcnet.error), null,
    { timeout: 60000 });
  const loadError = await page.evaluate(() => window.fcnet.error || null);
  if (loadError) throw new Error(loadError);

  // A person's stroke: a vertical bar down the middle of the pad (a trouser leg, or a "1").
  const box = await page.locator("#pad").boundingBox();
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.15);
  await page.mouse.down();
  for (let k = 1; k <= 20; k++) {
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * (0.15 + 0.035 * k));
  }
  await page.mouse.up();
  await page.waitForFunction(() => window.fcnet.lastProbabilities !== undefined);
  const drawn = await page.evaluate(() => ({
    input: window.fcnet.lastInput,
    probabilities: window.fcnet.lastProbabilities,
    answer: document.getElementById("answer").textContent,
  }));
  const classified = await page.evaluate(async (list) => Promise.all(list.map((p) => window.fcnet.classify(p))),
    images);
  // A real test image painted on the pad, classified from the pad as a drawing is; what the page shows for it.
  await page.evaluate(async (pixels) => window.fcnet.paintImage(pixels), images[0]);
  const painted = await page.evaluate(() => ({
    input: window.fcnet.lastInput,
    probabilities: window.fcnet.lastProbabilities,
    answer: document.getElementById("answer").textContent,
    rows: [...document.querySelectorAll("#scores tr")].map((row) => [...row.cells].map((c) => c.textContent)),
  }));
  if (screenshot) await page.screenshot({ path: screenshot });
  console.log(JSON.stringify({ drawn, painted, classified, errors, side: await page.evaluate(() => window.fcnet.side) }));
} finally {
  await browser.close();
}
