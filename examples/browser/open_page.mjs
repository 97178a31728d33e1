// Open a page in Debian's headless Chromium with playwright-core, for the tests of fcnet's HTML output
// (fcnet report): node open_page.mjs URL SCREENSHOT.png -> one JSON object: console errors, page errors,
// images (how many, how many failed to load), title.
import { chromium } from "playwright-core";

const [url, screenshot] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  const consoleErrors = [];
  const pageErrors = [];
  const requests = [];
  page.on("console", (message) => { if (message.type() === "error") consoleErrors.push(message.text()); });
  page.on("pageerror", (error) => pageErrors.push(String(error)));
  page.on("request", (request) => requests.push(request.url()));
  await page.goto(url, { waitUntil: "load" });
  const images = await page.evaluate(() => [...document.images].map((img) => ({
    alt: img.alt, loaded: img.complete && img.naturalWidth > 0,
  })));
  if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
  const outside = requests.filter((r) => !r.startsWith(url.replace(/[^/]*$/, "")) && !r.startsWith("data:"));
  console.log(JSON.stringify({ title: await page.title(), consoleErrors, pageErrors, images, outside }));
} finally {
  await browser.close();
}
