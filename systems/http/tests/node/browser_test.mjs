// Drives Debian's Chromium with playwright-core: loads the page from `sfs http serve`, whose script
// calls `sfs http todo-api` with fetch() and a WebSocket. Prints one JSON line with what the page
// saw, plus what the browser loaded; exits non-zero on any failure.
//
//   node browser_test.mjs PAGE_URL USER_DATA_DIR
import { chromium } from 'playwright-core';

const [pageUrl, userDataDir] = process.argv.slice(2);
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  timeout: 60000,
});
let exitCode = 1;
try {
  const page = context.pages()[0] ?? await context.newPage();
  const responses = [];
  page.on('response', (r) => responses.push({ url: r.url(), status: r.status(), type: r.headers()['content-type'] }));
  const response = await page.goto(pageUrl, { waitUntil: 'load', timeout: 30000 });
  await page.waitForFunction(() => document.getElementById('result').textContent !== 'running', null, { timeout: 30000 });
  const result = JSON.parse(await page.textContent('#result'));
  const color = await page.$eval('#heading', (e) => getComputedStyle(e).color);
  const imageWidth = await page.$eval('#logo', (e) => e.naturalWidth);
  console.log(JSON.stringify({ status: response.status(), title: await page.title(), color, imageWidth, result, responses }));
  exitCode = result.ok ? 0 : 1;
} catch (e) {
  console.log(JSON.stringify({ error: String(e) }));
} finally {
  await context.close();
}
process.exit(exitCode);
