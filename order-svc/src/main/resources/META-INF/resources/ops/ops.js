const text = (tag, value, cls) => { const el = document.createElement(tag); el.textContent = value ?? ''; if (cls) el.className = cls; return el; };
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
document.getElementById('auth').addEventListener('submit', e => {
  e.preventDefault();
  sessionStorage.setItem('shop.token', document.getElementById('token').value.trim());
  document.getElementById('token').value = '';
  showDeadLetters();
  showCorrectness();
});

const row = cells => { const tr = document.createElement('tr'); cells.forEach(c => tr.appendChild(c)); return tr; };

async function showJourney(id) {
  const summary = document.getElementById('summary');
  const table = document.getElementById('journey');
  const body = table.querySelector('tbody');
  body.replaceChildren();
  const res = await api('/api/v1/orders/' + encodeURIComponent(id) + '/journey');
  if (!res.ok) {
    summary.textContent = res.status === 404 ? 'No order ' + id : explain(res.status);
    table.hidden = true;
    return;
  }
  const j = await res.json();
  summary.replaceChildren(text('span', 'Order ' + j.orderId + ' is '), text('strong', j.status, j.status),
    text('span', j.cancellationReason ? ' (' + j.cancellationReason + ')' : ''), text('span', ' · ' + j.steps.length + ' step(s)'));
  j.steps.forEach((s, i) => body.appendChild(row([text('td', i + 1), text('td', s.time), text('td', s.type),
    text('td', s.service), text('td', s.outcome), text('td', s.traceId || '', 'muted')])));
  table.hidden = false;
}

async function showDeadLetters() {
  const body = document.querySelector('#dlq tbody');
  try {
    const res = await api('/api/v1/ops/dead-letters');
    if (!res.ok) {
      body.replaceChildren(row([text('td', explain(res.status), 'down')]));
      return;
    }
    const services = await res.json();
    body.replaceChildren(...services.map(s => row([
      text('td', s.service + '-svc'),
      text('td', s.available ? 'reachable' : 'unavailable: ' + s.error, s.available ? 'ok' : 'down'),
      text('td', s.available ? s.pending : '?'),
      text('td', s.deadLetters.length ? s.deadLetters[0].routingKey + ': ' + s.deadLetters[0].reason : '—')])));
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
const initial = new URLSearchParams(location.search).get('orderId');
if (initial) { document.getElementById('orderId').value = initial; showJourney(initial); }
showDeadLetters();
showCorrectness();
