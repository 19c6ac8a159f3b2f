// DaprOrders operations page: live snapshots over server-sent events, an order's timeline, dead letters with a
// confirmed replay/discard, stock levels. Every value from the server is untrusted (event payloads, customer ids):
// it reaches the DOM only as text (textContent / Text nodes), never as markup.
'use strict';

const STATUSES = ['Submitted', 'AwaitingPayment', 'Completed', 'Cancelled'];
// The operator token for replay and discard: typed into the confirm dialog, kept in sessionStorage (this tab only)
// and sent as a bearer token, which a cross-site form cannot send.
const TOKEN_KEY = 'daprorders-operator-token';

const page = {
  selectedOrder: null,
  selectedDeadLetter: null,
  rendered: new Map(),
  timelineLoading: false,
  source: null,
};

const $ = (id) => document.getElementById(id);

/** Creates an element; children that are not nodes become Text nodes, so data is never parsed as HTML. */
function el(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'class') element.className = value;
    else if (name === 'onclick') element.addEventListener('click', value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

function formatTime(value) {
  if (!value) return '—';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

function timeCell(value) {
  return el('td', {}, value ? el('time', { datetime: value }, formatTime(value)) : '—');
}

function formatMoney(total) {
  if (!total || typeof total !== 'object') return total === undefined || total === null ? '—' : String(total);
  const { amount, currency } = total;
  try {
    const format = new Intl.NumberFormat('en', { style: 'currency', currency: String(currency) });
    const digits = format.resolvedOptions().maximumFractionDigits;
    return format.format(Number(amount) / 10 ** digits);
  } catch {
    return `${amount} ${currency}`;
  }
}

function statusBadge(status, testId) {
  const text = status ?? 'unknown';
  return el('span', { class: `status status-${String(text).replace(/[^A-Za-z]/g, '')}`, 'data-testid': testId }, text);
}

/** Renders a section only when its data changed, so rows under the pointer are not replaced every second. */
function renderIfChanged(key, data, render) {
  const json = JSON.stringify(data ?? null);
  if (page.rendered.get(key) === json) return;
  page.rendered.set(key, json);
  render(data);
}

function notify(message, isError = false) {
  const notice = $('notice');
  notice.textContent = message;
  notice.classList.toggle('error', isError);
}

async function problemText(response) {
  try {
    const problem = await response.json();
    return problem.detail || problem.title || `HTTP ${response.status}`;
  } catch {
    return `HTTP ${response.status}`;
  }
}

// ---------------------------------------------------------------- snapshot rendering

function renderSnapshot(snapshot) {
  $('updated').textContent = formatTime(snapshot.at);
  $('updated').setAttribute('datetime', snapshot.at);
  renderIfChanged('problems', snapshot.problems, renderProblems);
  renderIfChanged('counts', snapshot.orderStats, renderCounts);
  renderIfChanged('orders', [snapshot.latestOrders, page.selectedOrder], ([list]) => renderOrders(list));
  renderIfChanged('deadletters', [snapshot.deadLetters, page.selectedDeadLetter], ([letters]) => renderDeadLetters(letters));
  renderIfChanged('stock', snapshot.stock, renderStock);
  if (page.selectedOrder) refreshTimeline();
}

function renderProblems(problems) {
  const box = $('problems');
  box.replaceChildren();
  if (!problems || problems.length === 0) {
    box.hidden = true;
    return;
  }
  box.append(el('strong', {}, 'Some sources did not answer: '),
    ...problems.map((p, i) => el('span', {}, i > 0 ? '; ' : '', `${p.source} (${p.detail})`)));
  box.hidden = false;
}

function renderCounts(stats) {
  const counts = (stats && stats.counts) || {};
  const names = [...STATUSES, ...Object.keys(counts).filter((s) => !STATUSES.includes(s))];
  const items = names.map((status) =>
    el('li', { 'data-testid': `status-count-${status}`, 'data-status': status },
      el('span', { class: 'label' }, status),
      el('span', { class: 'value', 'data-testid': 'count' }, String(counts[status] ?? 0))));
  if (stats && stats.total !== undefined) {
    items.push(el('li', { 'data-testid': 'status-count-total' },
      el('span', { class: 'label' }, 'Total'), el('span', { class: 'value', 'data-testid': 'count' }, String(stats.total))));
  }
  $('status-counts').replaceChildren(...items);
}

function renderOrders(list) {
  const orders = (list && list.orders) || [];
  $('orders').replaceChildren(...orders.map((order) =>
    el('tr', { 'data-testid': 'order-row', 'data-order-id': order.orderId, class: order.orderId === page.selectedOrder ? 'selected' : null },
      el('td', {}, el('code', { 'data-testid': 'order-id' }, order.orderId)),
      el('td', { 'data-testid': 'order-customer' }, order.customerId ?? '—'),
      el('td', { class: 'num' }, formatMoney(order.total)),
      el('td', {}, statusBadge(order.status, 'order-status')),
      timeCell(order.updatedAt ?? order.createdAt),
      el('td', {}, el('button', {
        type: 'button', class: 'secondary', 'data-testid': 'open-timeline',
        'aria-label': `Show the timeline of order ${order.orderId}`,
        onclick: () => selectOrder(order.orderId),
      }, 'Timeline')))));
}

function renderDeadLetters(letters) {
  const list = letters || [];
  $('deadletters-empty').hidden = list.length > 0;
  $('deadletters').replaceChildren(...list.map((letter) =>
    el('tr', {
      'data-testid': 'deadletter-row', 'data-deadletter-id': letter.id, 'data-order-id': letter.orderId, 'data-type': letter.type,
      class: letter.id === page.selectedDeadLetter ? 'selected' : null,
    },
    el('td', {}, el('code', {}, letter.topic ?? '—')),
    el('td', { class: 'mono' }, letter.type ?? '—'),
    el('td', {}, letter.orderId
      ? el('button', { type: 'button', class: 'link', 'aria-label': `Show the timeline of order ${letter.orderId}`, onclick: () => selectOrder(letter.orderId) },
        el('code', {}, letter.orderId))
      : '—'),
    el('td', {}, letter.error ?? '—'),
    el('td', { class: 'num', 'data-testid': 'deadletter-attempts' }, String(letter.attempts)),
    timeCell(letter.firstSeen),
    timeCell(letter.lastSeen),
    el('td', {}, statusBadge(letter.status, 'deadletter-row-status')),
    el('td', {}, el('button', {
      type: 'button', 'data-testid': 'inspect-deadletter', 'aria-label': `Inspect dead letter ${letter.id}`,
      onclick: () => selectDeadLetter(letter.id),
    }, 'Inspect')))));
  if (page.selectedDeadLetter && list.some((l) => l.id === page.selectedDeadLetter)) loadDeadLetter(page.selectedDeadLetter);
}

function renderStock(stock) {
  const levels = Array.isArray(stock) ? [...stock].sort((a, b) => String(a.sku).localeCompare(String(b.sku))) : [];
  $('stock').replaceChildren(...levels.map((level) =>
    el('tr', { 'data-testid': 'stock-row', 'data-sku': level.sku },
      el('td', {}, el('code', {}, level.sku)),
      el('td', { class: 'num', 'data-testid': 'stock-available' }, String(level.available)),
      el('td', { class: 'num', 'data-testid': 'stock-reserved' }, String(level.reserved)),
      el('td', { class: 'num', 'data-testid': 'stock-committed' }, String(level.committed)))));
}

// ---------------------------------------------------------------- order timeline

function selectOrder(orderId) {
  page.selectedOrder = orderId;
  page.rendered.delete('orders');
  page.rendered.delete('timeline');
  for (const row of document.querySelectorAll('[data-testid="order-row"]')) {
    row.classList.toggle('selected', row.dataset.orderId === orderId);
  }
  $('timeline-order').textContent = orderId;
  $('timeline-status').textContent = '…';
  $('timeline-reason').textContent = '';
  $('timeline-events').replaceChildren();
  $('timeline-panel').hidden = false;
  refreshTimeline();
  $('timeline-heading').scrollIntoView({ block: 'nearest' });
}

async function refreshTimeline() {
  const orderId = page.selectedOrder;
  if (!orderId || page.timelineLoading) return;
  page.timelineLoading = true;
  try {
    const response = await fetch(`api/orders/${encodeURIComponent(orderId)}`, { headers: { Accept: 'application/json' } });
    if (orderId !== page.selectedOrder) return;
    if (!response.ok) {
      $('timeline-status').textContent = response.status === 404 ? 'not known yet' : await problemText(response);
      return;
    }
    renderIfChanged('timeline', await response.json(), renderTimeline);
  } catch (error) {
    $('timeline-status').textContent = `unavailable (${error.message})`;
  } finally {
    page.timelineLoading = false;
  }
}

function traceCell(event) {
  if (!event.traceId) return el('td', {}, '—');
  const url = event.traceUrl && /^https?:\/\//i.test(event.traceUrl) ? event.traceUrl : null;
  return el('td', { 'data-testid': 'timeline-trace' }, url
    ? el('a', { href: url, target: '_blank', rel: 'noopener noreferrer', class: 'mono', title: 'Open the trace in Jaeger' }, event.traceId)
    : el('code', {}, event.traceId));
}

function renderTimeline(detail) {
  if (detail.orderId !== page.selectedOrder) return;
  const order = detail.order || {};
  $('timeline-status').replaceChildren(statusBadge(order.status ?? 'unknown', 'timeline-order-status'));
  $('timeline-reason').textContent = order.cancellationReason ? `(${order.cancellationReason})` : '';
  $('timeline-events').replaceChildren(...(detail.events || []).map((event) =>
    el('tr', { 'data-testid': 'timeline-event', 'data-type': event.type, 'data-kind': event.kind },
      timeCell(event.receivedAt),
      timeCell(event.time),
      el('td', { class: 'mono' }, event.type ?? '—', event.kind === 'dead-lettered' ? el('strong', {}, ' (dead-lettered)') : null),
      el('td', {}, event.source ?? '—'),
      el('td', {}, event.topic ?? '—'),
      traceCell(event))));
}

// ---------------------------------------------------------------- dead letters

function selectDeadLetter(id) {
  page.selectedDeadLetter = id;
  notify('');
  for (const row of document.querySelectorAll('[data-testid="deadletter-row"]')) {
    row.classList.toggle('selected', row.dataset.deadletterId === id);
  }
  $('deadletter-detail').hidden = false;
  $('deadletter-id').textContent = id;
  $('deadletter-payload').textContent = 'loading…';
  loadDeadLetter(id);
}

async function loadDeadLetter(id) {
  try {
    const response = await fetch(`api/deadletters/${encodeURIComponent(id)}`, { headers: { Accept: 'application/json' } });
    if (id !== page.selectedDeadLetter) return;
    if (!response.ok) {
      $('deadletter-payload').textContent = await problemText(response);
      return;
    }
    const record = await response.json();
    $('deadletter-status').replaceChildren(statusBadge(record.status, 'deadletter-status-value'));
    $('deadletter-topic').textContent = record.topic ?? '—';
    $('deadletter-payload').textContent = JSON.stringify(record.payload, null, 2);
    $('replay').disabled = record.status === 'Discarded';
    $('discard').disabled = record.status === 'Discarded';
    page.selectedRecord = record;
  } catch (error) {
    $('deadletter-payload').textContent = `unavailable (${error.message})`;
  }
}

/** Opens the modal confirm dialog; resolves true only when the operator pressed the confirm button. */
function confirmAction(title, text, confirmLabel) {
  const dialog = $('confirm');
  $('confirm-title').textContent = title;
  $('confirm-text').textContent = text;
  $('confirm-accept').textContent = confirmLabel;
  dialog.returnValue = '';
  $('operator-token').value = sessionStorage.getItem(TOKEN_KEY) ?? '';
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'confirm'), { once: true });
    dialog.showModal();
  });
}

async function act(action) {
  const record = page.selectedRecord;
  if (!record || record.id !== page.selectedDeadLetter) return;
  const what = `the ${record.type ?? 'event'} of order ${record.orderId ?? '(unknown)'}`;
  const confirmed = action === 'replay'
    ? await confirmAction('Replay dead letter?', `Republish ${what} to topic "${record.topic}"? Every subscriber of that topic receives it again.`, 'Replay')
    : await confirmAction('Discard dead letter?', `Mark ${what} as needing no further action? It is kept but never replayed.`, 'Discard');
  if (!confirmed) {
    notify(`${action === 'replay' ? 'Replay' : 'Discard'} cancelled.`);
    return;
  }
  const token = $('operator-token').value.trim();
  const headers = token ? { Authorization: `Bearer ${token}` } : {};
  const response = await fetch(`api/deadletters/${encodeURIComponent(record.id)}/${action}`, { method: 'POST', headers });
  // 401: no token given; 403: the token is not the operator's. Either way forget it, so the next try asks afresh.
  if (response.status === 401 || response.status === 403) sessionStorage.removeItem(TOKEN_KEY);
  else if (token) sessionStorage.setItem(TOKEN_KEY, token);
  if (response.ok) {
    const summary = await response.json();
    notify(`Dead letter ${summary.id} is now ${summary.status}.`);
  } else {
    notify(`${action} failed: ${await problemText(response)}`, true);
  }
  page.rendered.delete('deadletters');
  loadDeadLetter(record.id);
}

// ---------------------------------------------------------------- live connection

function setConnection(state) {
  const badge = $('connection');
  badge.textContent = state;
  badge.className = `badge ${state}`;
}

function connect() {
  const source = new EventSource('api/stream');
  page.source = source;
  source.addEventListener('snapshot', (message) => {
    setConnection('live');
    renderSnapshot(JSON.parse(message.data));
  });
  source.addEventListener('error', () => {
    setConnection('reconnecting');
    // EventSource retries by itself unless the server refused the stream; then start a new one.
    if (source.readyState === EventSource.CLOSED) setTimeout(connect, 2000);
  });
}

document.addEventListener('DOMContentLoaded', () => {
  $('timeline-close').addEventListener('click', () => {
    page.selectedOrder = null;
    page.rendered.delete('timeline');
    page.rendered.delete('orders');
    $('timeline-panel').hidden = true;
  });
  $('detail-close').addEventListener('click', () => {
    page.selectedDeadLetter = null;
    page.selectedRecord = null;
    $('deadletter-detail').hidden = true;
  });
  $('replay').addEventListener('click', () => act('replay'));
  $('discard').addEventListener('click', () => act('discard'));
  connect();
});
