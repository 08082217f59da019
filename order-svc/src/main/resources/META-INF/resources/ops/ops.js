'use strict';
const text = (tag, value, cls) => { const el = document.createElement(tag); el.textContent = value ?? ''; if (cls) el.className = cls; return el; };
const row = cells => { const tr = document.createElement('tr'); cells.forEach(c => tr.appendChild(c)); return tr; };
// The page's data needs an operator token. It is kept in this tab's sessionStorage only; a link may
// hand it over in the URL fragment (#token=...), which browsers never send to the server.
const fragment = new URLSearchParams(location.hash.slice(1));
if (fragment.get('token')) {
  sessionStorage.setItem('shop.token', fragment.get('token'));
  history.replaceState(null, '', location.pathname + location.search);
}
const token = () => sessionStorage.getItem('shop.token') || '';
const api = path => fetch(path, { headers: token() ? { Authorization: 'Bearer ' + token() } : {} });
const explain = status => status === 401 ? 'sign in: paste an operator token above' : status === 403 ? 'your token lacks the operator role' : 'error ' + status;
/** A problem document's title and detail (RFC 9457), or the status explained. */
async function problem(res) {
  try { const p = await res.json(); if (p.title) return p.title + (p.detail ? ': ' + p.detail : ''); } catch (e) { /* not JSON */ }
  return explain(res.status);
}
document.getElementById('auth').addEventListener('submit', e => {
  e.preventDefault();
  sessionStorage.setItem('shop.token', document.getElementById('token').value.trim());
  document.getElementById('token').value = '';
  refreshAll();
});

// ------------------------------------------------------------------ overview charts (uPlot)
const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
const charts = new Map(); // name -> { figure, plot, labels }
const minutes = () => Number(document.getElementById('range').value);
document.getElementById('range').addEventListener('change', () => refreshCharts());

async function setUpCharts() {
  const box = document.getElementById('charts');
  const res = await api('/api/v1/ops/charts');
  if (!res.ok) { document.getElementById('prometheus-status').textContent = await problem(res); return false; }
  const list = await res.json();
  box.replaceChildren();
  charts.clear();
  for (const c of list) {
    const figure = document.createElement('figure');
    figure.className = 'chart';
    figure.id = 'chart-' + c.name;
    figure.dataset.chart = c.name;
    figure.dataset.state = 'loading';
    figure.dataset.points = '0';
    figure.appendChild(text('figcaption', c.title + ' (' + c.unit + ')'));
    const plot = document.createElement('div');
    plot.className = 'plot';
    figure.appendChild(plot);
    figure.appendChild(text('p', 'loading…', 'note muted'));
    box.appendChild(figure);
    charts.set(c.name, { figure, plotBox: plot, plot: null, labels: '' });
  }
  return true;
}

function draw(entry, d) {
  const data = [d.timestamps, ...d.series.map(s => s.values)];
  const labels = d.series.map(s => s.label).join('\u0000');
  if (entry.plot && entry.labels === labels) { entry.plot.setData(data); return; }
  if (entry.plot) entry.plot.destroy();
  entry.labels = labels;
  const width = Math.max(300, entry.figure.clientWidth - 20);
  entry.plot = new uPlot({
    width, height: 180,
    scales: { x: { time: true }, y: { range: (u, min, max) => [0, max > 0 ? max * 1.1 : 1] } },
    axes: [{}, { size: 55, values: (u, vals) => vals.map(v => +v.toPrecision(3)) }],
    series: [{}, ...d.series.map((s, i) => ({ label: s.label, stroke: PALETTE[i % PALETTE.length], width: 1.5, spanGaps: false }))],
  }, data, entry.plotBox);
}

async function refreshChart(name, entry) {
  const note = entry.figure.querySelector('.note');
  try {
    const res = await api('/api/v1/ops/charts/' + encodeURIComponent(name) + '?minutes=' + minutes());
    if (!res.ok) {
      entry.figure.dataset.state = 'error';
      note.textContent = await problem(res);
      note.className = 'note down';
      return res.status;
    }
    const d = await res.json();
    entry.figure.dataset.state = 'ok';
    entry.figure.dataset.points = String(d.points);
    entry.figure.dataset.series = String(d.series.length);
    note.className = 'note muted';
    note.textContent = d.series.length === 0 ? 'no series yet (no traffic, or not scraped)'
      : d.points + ' data point(s) in ' + d.series.length + ' series, step ' + d.step + ' s';
    draw(entry, d);
    return 200;
  } catch (e) {
    entry.figure.dataset.state = 'error';
    note.textContent = 'cannot load: ' + e;
    note.className = 'note down';
    return 0;
  }
}

async function refreshCharts() {
  if (charts.size === 0 && !(await setUpCharts())) return;
  const statuses = await Promise.all([...charts.entries()].map(([name, entry]) => refreshChart(name, entry)));
  const status = document.getElementById('prometheus-status');
  const failed = statuses.filter(s => s !== 200).length;
  status.className = failed ? 'down' : 'muted';
  status.textContent = failed === 0 ? 'Prometheus answered for every chart.'
    : failed === statuses.length ? 'No chart: ' + (document.querySelector('figure.chart .note.down')?.textContent || 'Prometheus unavailable')
      : failed + ' chart(s) failed; see each chart.';
  document.getElementById('overview-status').textContent = 'updated ' + new Date().toLocaleTimeString();
}

async function showAlerts() {
  const body = document.querySelector('#alerts tbody');
  try {
    const res = await api('/api/v1/ops/alerts');
    if (!res.ok) { body.replaceChildren(row([text('td', await problem(res), 'down')])); return; }
    const alerts = await res.json();
    body.replaceChildren(...(alerts.length === 0 ? [row([text('td', 'none firing or pending', 'ok')])]
      : alerts.map(a => row([text('td', a.name), text('td', a.state, a.state), text('td', a.severity || ''),
        text('td', a.labels.service || a.labels.queue || ''), text('td', a.activeAt || '', 'muted'), text('td', a.summary || a.description || '')]))));
  } catch (e) {
    body.replaceChildren(row([text('td', 'cannot load: ' + e, 'down')]));
  }
}

// ------------------------------------------------------------------ order journey as a waterfall
// Which earlier event a step reacts to, so the time in between is attributed to the step's producer.
const CAUSES = {
  'stock.reserved': ['order.placed'], 'stock.rejected': ['order.placed'],
  'payment.authorized': ['stock.reserved'], 'payment.declined': ['stock.reserved'],
  'order.confirmed': ['payment.authorized'], 'order.cancelled': ['stock.rejected', 'payment.declined', 'order.placed'],
  'stock.committed': ['order.confirmed'], 'stock.released': ['order.cancelled'], 'payment.refunded': ['order.cancelled'],
};
const SERVICES = ['order-svc', 'inventory-svc', 'billing-svc', 'notification-svc'];
const svcClass = s => 'svc-' + (SERVICES.includes(s) ? s : 'other');
const ms = v => v < 1000 ? Math.round(v) + ' ms' : (v / 1000).toFixed(2) + ' s';
let journeyTimer = null;
let lastDeadLetters = null; // the latest /api/v1/ops/dead-letters answer, for the order's own dead letters

function segment(track, from, to, t0, total, cls, title) {
  const seg = document.createElement('span');
  seg.className = 'seg ' + cls;
  seg.style.left = ((from - t0) / total * 100) + '%';
  seg.style.width = (Math.max(0, to - from) / total * 100) + '%';
  seg.title = title;
  track.appendChild(seg);
}

function waterfall(j) {
  const list = document.getElementById('steps');
  const steps = j.steps.map(s => ({ ...s, t: Date.parse(s.time), r: s.receivedAt ? Date.parse(s.receivedAt) : null }));
  const t0 = steps.length ? steps[0].t : 0;
  const end = Math.max(...steps.map(s => Math.max(s.t, s.r || 0)), t0 + 1);
  const total = end - t0;
  list.replaceChildren(...steps.map((s, i) => {
    const li = document.createElement('li');
    li.dataset.index = String(i + 1);
    li.dataset.type = s.type;
    li.dataset.service = s.service;
    const label = document.createElement('span');
    label.className = 'label';
    label.append(text('span', (i + 1) + '. '), text('span', s.type, 'type'), text('span', ' · ' + s.service + ' · '), text('span', s.outcome, 'muted'));
    const track = document.createElement('span');
    track.className = 'track';
    const timing = document.createElement('span');
    timing.className = 'timing';
    const causes = CAUSES[s.type] || [];
    const cause = steps.slice(0, i).reverse().find(p => causes.includes(p.type)) || (i > 0 ? steps[i - 1] : null);
    const parts = ['+' + ms(s.t - t0)];
    if (cause) {
      // order-svc received the cause event at cause.r: until then the event was in its producer's outbox
      // relay and the broker (other consumers got their copy at about the same moment); after it, the
      // time belongs to this step's producer. Without cause.r (order-svc's own events) it is one span.
      const hopEnd = cause.r && cause.r >= cause.t && cause.r <= s.t ? cause.r : null;
      if (hopEnd) {
        segment(track, cause.t, hopEnd, t0, total, 'broker', 'outbox relay + broker: ' + ms(hopEnd - cause.t));
        parts.push('broker ' + ms(hopEnd - cause.t));
      }
      // order-svc's copy arrived only after this step's producer had already reacted to its own copy:
      // the hop of that copy is unknown, so the span is shown unsplit rather than guessed.
      const unsplit = !hopEnd && cause.r && cause.r > s.t;
      const from = hopEnd || cause.t;
      const who = s.service.replace('-svc', '');
      segment(track, from, s.t, t0, total, svcClass(s.service) + (unsplit ? ' unsplit' : ''),
        (unsplit ? 'outbox relay + broker + ' : '') + s.service + ': ' + ms(s.t - from));
      parts.push((unsplit ? 'broker + ' : '') + who + ' ' + ms(s.t - from));
      li.dataset.cause = cause.type;
    }
    const mark = document.createElement('span');
    mark.className = 'mark';
    mark.style.left = ((s.t - t0) / total * 100) + '%';
    track.appendChild(mark);
    timing.textContent = parts.join(' · ');
    li.append(label, track, timing);
    return li;
  }));
  const legend = document.getElementById('waterfall-legend');
  legend.replaceChildren(text('span', 'time in: '));
  for (const s of SERVICES) { legend.append(text('span', '', 'swatch ' + svcClass(s)), text('span', s)); }
  legend.append(text('span', '', 'swatch broker'), text('span', 'outbox relay + broker (measured on the copy order-svc received)'),
    text('span', ' · axis 0 – ' + ms(total) + ' from ' + (steps[0]?.time || '')));
}

function orderDeadLetters(orderId) {
  const box = document.getElementById('order-dead-letters');
  if (!lastDeadLetters) { box.replaceChildren(); return; }
  const mine = lastDeadLetters.flatMap(s => s.deadLetters.filter(d => (d.body || '').includes(orderId)).map(d => ({ service: s.service, d })));
  box.dataset.count = String(mine.length);
  if (mine.length === 0) { box.replaceChildren(text('p', 'No pending dead letter of this order.', 'ok')); return; }
  const list = document.createElement('ul');
  for (const { service, d } of mine) {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.href = '#dl-' + d.id;
    a.textContent = service + '-svc: ' + d.routingKey;
    li.append(a, text('span', ' — ' + d.reason + ' (' + d.attempts + ' attempt(s), ' + d.failedAt + ')'));
    list.appendChild(li);
  }
  box.replaceChildren(text('p', mine.length + ' pending dead letter(s) of this order:', 'down'), list);
  document.querySelectorAll('#dlq-letters tr').forEach(tr => tr.classList.toggle('highlight', (tr.dataset.body || '').includes(orderId)));
}

async function showJourney(id) {
  clearTimeout(journeyTimer);
  const summary = document.getElementById('summary');
  const box = document.getElementById('waterfall');
  const res = await api('/api/v1/orders/' + encodeURIComponent(id) + '/journey');
  if (!res.ok) {
    summary.textContent = res.status === 404 ? 'No order ' + id : explain(res.status);
    box.hidden = true;
    return;
  }
  const j = await res.json();
  const traces = [...new Set(j.steps.map(s => s.traceId).filter(Boolean))];
  summary.replaceChildren(text('span', 'Order ' + j.orderId + ' is '), text('strong', j.status, j.status),
    text('span', j.cancellationReason ? ' (' + j.cancellationReason + ')' : ''), text('span', ' · ' + j.steps.length + ' step(s) · trace id '),
    text('code', traces.join(', ') || 'none', 'trace-id'));
  waterfall(j);
  orderDeadLetters(j.orderId);
  box.hidden = false;
  if (j.status === 'PENDING') journeyTimer = setTimeout(() => showJourney(id), 2000); // follow it until terminal
}

// ------------------------------------------------------------------ dead letters and correctness
async function showDeadLetters() {
  const body = document.querySelector('#dlq tbody');
  const letters = document.querySelector('#dlq-letters tbody');
  try {
    const res = await api('/api/v1/ops/dead-letters');
    if (!res.ok) {
      body.replaceChildren(row([text('td', explain(res.status), 'down')]));
      return;
    }
    const services = await res.json();
    lastDeadLetters = services;
    body.replaceChildren(...services.map(s => row([
      text('td', s.service + '-svc'),
      text('td', s.available ? 'reachable' : 'unavailable: ' + s.error, s.available ? 'ok' : 'down'),
      text('td', s.available ? s.pending : '?'),
      text('td', s.deadLetters.length ? s.deadLetters[0].routingKey + ': ' + s.deadLetters[0].reason : '—')])));
    letters.replaceChildren(...services.flatMap(s => s.deadLetters.map(d => {
      const tr = row([text('td', s.service + '-svc'), text('td', d.id, 'muted'), text('td', d.routingKey), text('td', d.reason),
        text('td', d.failedAt, 'muted'), text('td', d.attempts)]);
      tr.id = 'dl-' + d.id;
      tr.dataset.body = d.body || '';
      return tr;
    })));
    const current = document.getElementById('orderId').value.trim();
    if (current && !document.getElementById('waterfall').hidden) orderDeadLetters(current);
  } catch (e) {
    body.replaceChildren(row([text('td', 'cannot load: ' + e, 'down')]));
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
function subjectCell(subject) {
  const td = document.createElement('td');
  if (UUID.test(subject)) { // an order: link to its journey
    const a = document.createElement('a');
    a.href = '?orderId=' + encodeURIComponent(subject);
    a.textContent = subject;
    td.appendChild(a);
  } else {
    td.textContent = subject;
  }
  return td;
}

async function showCorrectness() {
  const summary = document.getElementById('correctness-summary');
  const body = document.querySelector('#correctness tbody');
  try {
    const res = await api('/api/v1/ops/correctness');
    if (!res.ok) { summary.textContent = explain(res.status); body.replaceChildren(); return; }
    const r = await res.json();
    const total = Object.values(r.counts).reduce((a, b) => a + b, 0);
    summary.replaceChildren(text('strong', total === 0 ? 'no violations' : total + ' violation(s)', total === 0 ? 'ok' : 'down'),
      text('span', ' · last check ' + (r.lastRun || 'not yet') + ' · ' +
        Object.entries(r.counts).filter(([, n]) => n > 0).map(([k, n]) => k + ' ' + n).join(', ')));
    body.replaceChildren(...r.violations.map(v => row([text('td', v.invariant), subjectCell(v.subject),
      text('td', v.detail), text('td', v.firstSeen, 'muted')])));
  } catch (e) {
    summary.textContent = 'cannot load: ' + e;
  }
}

document.getElementById('lookup').addEventListener('submit', e => {
  e.preventDefault();
  const id = document.getElementById('orderId').value.trim();
  history.replaceState(null, '', '?orderId=' + encodeURIComponent(id));
  showJourney(id);
});

async function refreshAll() {
  await showDeadLetters(); // first: the journey lists the order's own dead letters from it
  const initial = document.getElementById('orderId').value.trim();
  if (initial) showJourney(initial);
  showCorrectness();
  showAlerts();
  refreshCharts();
}
const initial = new URLSearchParams(location.search).get('orderId');
if (initial) document.getElementById('orderId').value = initial;
refreshAll();
setInterval(() => { refreshCharts(); showAlerts(); }, 5000);
setInterval(() => { showDeadLetters(); showCorrectness(); }, 15000);
