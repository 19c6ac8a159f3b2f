// Browser check of the Aspire dashboard's trace view, started by tests/DaprOrders.AppHost.Tests with the AppHost
// running: it logs in with the browser token, opens one order's trace and saves a screenshot of it (docs/ holds a copy).
// The dashboard is a Blazor app: only a browser that runs its script renders the spans.
//
// Environment: DASHBOARD_URL, BROWSER_TOKEN, TRACE_ID, SCREENSHOT, CHROMIUM_PATH (default /usr/bin/chromium).
// Every wait is a Playwright wait with a deadline; nothing sleeps.
import { chromium } from 'playwright-core';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (this script is started by DaprOrders.AppHost.Tests)`);
  return value;
};
const DASHBOARD_URL = env('DASHBOARD_URL').replace(/\/$/, '');
const BROWSER_TOKEN = env('BROWSER_TOKEN');
const TRACE_ID = env('TRACE_ID');
const SCREENSHOT = env('SCREENSHOT');
const step = (text) => console.log(`[dashboard] ${text}`);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-dev-shm-usage'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  step('login with the browser token');
  await page.goto(`${DASHBOARD_URL}/login?t=${BROWSER_TOKEN}`, { waitUntil: 'load', timeout: 60_000 });
  step(`open trace ${TRACE_ID}`);
  await page.goto(`${DASHBOARD_URL}/traces/detail/${TRACE_ID}`, { waitUntil: 'load', timeout: 60_000 });
  // The span list names every service of the saga once Blazor rendered it. Audit takes events in bulk, so its span
  // is in a trace of its own that links here (AppHostTests checks the link through the dashboard's API).
  for (const service of ['ordering', 'inventory', 'payment', 'notification']) {
    await page.getByText(service, { exact: false }).first().waitFor({ state: 'visible', timeout: 60_000 });
  }
  await page.getByText('POST /orders').first().waitFor({ state: 'visible', timeout: 60_000 });
  await page.screenshot({ path: SCREENSHOT, fullPage: false });
  step(`screenshot: ${SCREENSHOT}`);
} finally {
  await browser.close();
}
