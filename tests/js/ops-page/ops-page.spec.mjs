// Browser test of Audit's operations page (services/Audit/wwwroot/ops), started by
// tests/DaprOrders.OperationsPage.Tests with the whole system running on the emulator. It uses the page as an operator
// would: orders appear and complete, a poisoned order.created lands in the dead letters, a confirmed replay completes it.
//
// Environment: OPS_URL, ORDERING_URL, INVENTORY_URL, CONTROL_URL (test-control endpoint: /poison, /heal, /release-outbox, /settle, /advance),
// JAEGER_URL (the Jaeger base configured in Audit), SCREENSHOT_DIR, CHROMIUM_PATH (default /usr/bin/chromium).
// Every wait is a Playwright expectation with a deadline; nothing sleeps.
import { randomUUID } from 'node:crypto';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (this script is started by DaprOrders.OperationsPage.Tests)`);
  return value;
};
const OPS_URL = env('OPS_URL');
const ORDERING_URL = env('ORDERING_URL');
const INVENTORY_URL = env('INVENTORY_URL');
const CONTROL_URL = env('CONTROL_URL');
const JAEGER_URL = env('JAEGER_URL');
const SCREENSHOT_DIR = env('SCREENSHOT_DIR');
const OPERATOR_TOKEN = env('OPERATOR_TOKEN');
const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const WAIT = { timeout: 30_000 };
const quoted = (text) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

const step = (text) => console.log(`[ops-page] ${text}`);

/**
 * Waits until the locator shows what is expected, polling with a deadline (playwright-core has no expect()).
 * The failure names the locator, the expectation and what was last seen.
 */
function expect(locator, { timeout = 10_000 } = {}) {
  const until = async (description, read, ok) => {
    const deadline = Date.now() + timeout;
    let last;
    for (;;) {
      try {
        last = await read();
        if (ok(last)) return;
      } catch (error) {
        last = error.message.split('\n')[0];
      }
      if (Date.now() > deadline) {
        throw new Error(`timed out after ${timeout} ms: ${locator} should ${description}; last seen: ${JSON.stringify(last)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const text = async () => (await locator.textContent({ timeout: 1_000 }))?.trim();
  return {
    toHaveText: (expected) => until(`have text ${JSON.stringify(expected)}`, text, (t) => t === expected),
    toContainText: (expected) => until(`contain ${JSON.stringify(expected)}`, text, (t) => t?.includes(expected)),
    toHaveCount: (expected) => until(`match ${expected} element(s)`, () => locator.count(), (n) => n === expected),
    toBeVisible: () => until('be visible', () => locator.isVisible(), (v) => v),
    toBeHidden: () => until('be hidden', () => locator.isVisible(), (v) => !v),
    toHaveAttribute: (name, pattern) => until(`have ${name} matching ${pattern}`, () => locator.getAttribute(name, { timeout: 1_000 }),
      (value) => value !== null && pattern.test(value)),
  };
}

async function call(url, init = {}) {
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${url} answered ${response.status}: ${await response.text()}`);
  return response.status === 204 ? null : response.json();
}

const control = (path, body) => call(new URL(path, CONTROL_URL), {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}),
});

async function setStock(sku, available) {
  await call(new URL(`stock/${sku}`, INVENTORY_URL), {
    // A stock count is an operator call.
    method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${OPERATOR_TOKEN}` }, body: JSON.stringify({ available }),
  });
}

/** Submits an order as a structured CloudEvent (daprorders.order.submitted.v1) and returns its id. */
async function submitOrder(customerId, sku, quantity) {
  const accepted = await call(new URL('orders', ORDERING_URL), {
    method: 'POST',
    headers: { 'content-type': 'application/cloudevents+json' },
    body: JSON.stringify({
      specversion: '1.0',
      id: randomUUID(),
      source: 'urn:daprorders:ops-page-test',
      type: 'daprorders.order.submitted.v1',
      datacontenttype: 'application/json',
      data: { customerId, currency: 'EUR', lines: [{ sku, quantity, unitPrice: 1250 }] },
    }),
  });
  // The emulator's clock is virtual: let daprd's outbox second pass, so order.created is published.
  await control('release-outbox');
  return accepted.orderId;
}

// launch() gives every run a fresh, temporary user data dir (deleted on close): no profile state carries over.
const browser = await chromium.launch({
  executablePath: CHROMIUM_PATH,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
let page;
try {
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('dialog', (dialog) => { pageErrors.push(`unexpected native dialog: ${dialog.message()}`); dialog.dismiss(); });
  const shot = (name, options = {}) => page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), ...options });

  step(`opening ${OPS_URL}`);
  await page.goto(OPS_URL);
  await expect(page.getByTestId('connection-status'), WAIT).toHaveText('live');
  await expect(page.getByRole('heading', { name: 'Dead letters' })).toBeVisible();

  // (1) Orders, one from a customer whose id is markup: the page must show it as text and never run it.
  const sku = `ops-${randomUUID().slice(0, 8)}`;
  await setStock(sku, 50);
  const hostile = '<img src=x onerror="window.__opsInjected=1">customer';
  const orders = [];
  for (const customer of ['customer-ada', 'customer-grace', hostile]) {
    orders.push(await submitOrder(customer, sku, 2));
  }
  step(`submitted ${orders.join(', ')}`);

  // (2) They appear and complete, live.
  for (const orderId of orders) {
    const row = page.locator(`[data-testid="order-row"][data-order-id="${orderId}"]`);
    await expect(row.getByTestId('order-status'), WAIT).toHaveText('Completed');
  }
  await expect(page.getByTestId('status-count-Completed').getByTestId('count'), WAIT).toHaveText('3');
  await expect(page.locator(`[data-testid="stock-row"][data-sku="${sku}"] [data-testid="stock-reserved"]`), WAIT).toHaveText('6');
  await expect(page.getByTestId('order-customer').filter({ hasText: hostile })).toHaveCount(1);
  await expect(page.locator('img')).toHaveCount(0);
  if (await page.evaluate(() => window.__opsInjected !== undefined)) throw new Error('markup from order data was executed');

  // The timeline of the first order: every saga event with its source and a Jaeger link per trace id. Audit takes
  // events in bulk, flushed on daprd's ticker: let the virtual clock pass it.
  await control('settle');
  await page.locator(`[data-testid="order-row"][data-order-id="${orders[0]}"]`).getByTestId('open-timeline').click();
  await expect(page.getByTestId('timeline-order-id')).toHaveText(orders[0]);
  const events = page.getByTestId('timeline-event');
  for (const type of ['daprorders.order.created.v1', 'daprorders.stock.reserved.v1', 'daprorders.payment.requested.v1',
    'daprorders.payment.succeeded.v1', 'daprorders.order.completed.v1', 'daprorders.notification.sent.v1']) {
    await expect(events.and(page.locator(`[data-type="${type}"]`)), WAIT).toHaveCount(1);
  }
  await expect(page.getByTestId('timeline-order-status'), WAIT).toHaveText('Completed');
  const traceLink = page.getByTestId('timeline-trace').locator('a').first();
  await expect(traceLink).toHaveAttribute('href', new RegExp(`^${quoted(JAEGER_URL)}/trace/[0-9a-f]{32}$`));
  await shot('01-orders-and-timeline', { fullPage: true });

  // (3) Inventory fails every delivery of the next order.created; the virtual clock runs the retries out.
  await control('poison');
  const poisoned = await submitOrder('customer-linus', sku, 1);
  step(`poisoned order ${poisoned}`);
  await expect(page.locator(`[data-testid="order-row"][data-order-id="${poisoned}"]`), WAIT).toHaveCount(1);
  await control('advance', { seconds: 15 });
  const letter = page.locator(`[data-testid="deadletter-row"][data-order-id="${poisoned}"][data-type="daprorders.order.created.v1"]`);
  await expect(letter.getByTestId('deadletter-row-status'), WAIT).toHaveText('Pending');
  await expect(letter).toContainText('order-created');
  const poisonedStatus = await page.locator(`[data-testid="order-row"][data-order-id="${poisoned}"]`).getByTestId('order-status').textContent();
  if (poisonedStatus === 'Completed') throw new Error('the poisoned order completed without its reservation');

  await letter.getByTestId('inspect-deadletter').click();
  await expect(page.getByTestId('deadletter-payload'), WAIT).toContainText(`"orderId": "${poisoned}"`);
  await expect(page.getByTestId('deadletter-payload')).toContainText('"type": "daprorders.order.created.v1"');
  await shot('02-dead-letter', { fullPage: true });

  // Discard asks first; cancelling leaves the dead letter pending.
  await page.getByTestId('discard').click();
  await expect(page.getByTestId('confirm-dialog')).toBeVisible();
  await page.getByTestId('confirm-cancel').click();
  await expect(page.getByTestId('confirm-dialog')).toBeHidden();
  await expect(page.getByTestId('notice')).toHaveText('Discard cancelled.');
  await expect(letter.getByTestId('deadletter-row-status')).toHaveText('Pending');

  // Fix the cause. A replay with a wrong operator token is refused (403) and changes nothing.
  await control('heal');
  const dialog = page.getByTestId('confirm-dialog');
  await page.getByTestId('replay').click();
  await expect(dialog).toBeVisible();
  await page.getByTestId('operator-token').fill('not-the-operator-token');
  await page.getByTestId('confirm-accept').click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('notice')).toHaveText('replay failed: The bearer token does not grant operator access.');
  await expect(letter.getByTestId('deadletter-row-status')).toHaveText('Pending');

  // Then replay through the confirmation with the operator token.
  await page.getByTestId('replay').click();
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText(`order ${poisoned}`);
  await expect(dialog).toContainText('topic "order-created"');
  // The refused token was forgotten, so the dialog asks afresh.
  if (await page.getByTestId('operator-token').inputValue() !== '') throw new Error('the page kept a refused operator token');
  await page.getByTestId('operator-token').fill(OPERATOR_TOKEN);
  await shot('03-confirm-replay');
  await page.getByTestId('confirm-accept').click();
  await expect(dialog).toBeHidden();

  // (4) The replayed event completes the order; the dead letter says Replayed.
  await expect(letter.getByTestId('deadletter-row-status'), WAIT).toHaveText('Replayed');
  await expect(page.locator(`[data-testid="order-row"][data-order-id="${poisoned}"]`).getByTestId('order-status'), WAIT).toHaveText('Completed');
  await expect(page.getByTestId('status-count-Completed').getByTestId('count'), WAIT).toHaveText('4');
  await page.locator(`[data-testid="order-row"][data-order-id="${poisoned}"]`).getByTestId('open-timeline').click();
  await expect(page.getByTestId('timeline-order-status'), WAIT).toHaveText('Completed');
  await expect(events.and(page.locator('[data-kind="dead-lettered"]')), WAIT).toHaveCount(1);
  await expect(page.getByTestId('deadletter-status-value'), WAIT).toHaveText('Replayed');
  await shot('04-replayed', { fullPage: true });
  copyFileSync(join(SCREENSHOT_DIR, '04-replayed.png'), join(SCREENSHOT_DIR, 'operations-page.png'));

  if (pageErrors.length > 0) throw new Error(`errors in the page: ${pageErrors.join('; ')}`);
  step('passed');
} catch (error) {
  if (page) await page.screenshot({ path: join(SCREENSHOT_DIR, 'failure.png'), fullPage: true }).catch(() => {});
  console.error(error);
  process.exitCode = 1;
} finally {
  await browser.close();
}
