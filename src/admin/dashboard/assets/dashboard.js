// The operators' page: plain browser JavaScript, no build step and no dependency (see README,
// Dashboard). It signs in with an admin token kept in sessionStorage and sent only as a header,
// reads the admin stream with fetch (EventSource cannot send headers) and reads pages again,
// at most once a second, when the stream says they changed. Paths are relative to the page, so
// it works under whatever prefix a host mounts the module's routes.
const LEVELS = ['critical', 'high', 'normal', 'low', 'background'];
const COLORS = ['#a40e26', '#bc4c00', '#0550ae', '#116329', '#6e7781'];
const HISTORY_MS = 15 * 60 * 1000;
const TOKEN_KEY = 'execution-queue-admin-token';
const $ = (id) => document.getElementById(id);

const state = { status: null, active: new Map(), pending: [], pendingTotal: 0, users: [], limit: null, refusals: {}, deadLetters: {}, history: [], abort: null };

function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

function show(signedIn, message) {
  $('sign-in').hidden = signedIn;
  $('board').hidden = !signedIn;
  $('sign-out').hidden = !signedIn;
  $('connection').textContent = message;
}

class Refused extends Error {}

async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: { Authorization: `Bearer ${token()}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (response.status === 401) throw new Refused('The token was refused.');
  const payload = response.status === 204 ? null : await response.json();
  if (!response.ok) throw new Error(payload?.message ?? `${method} ${path} answered ${response.status}`);
  return payload;
}

function signOut(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  state.abort?.abort();
  show(false, 'Not signed in');
  $('sign-in-error').textContent = message ?? '';
  $('token').focus();
}

async function signIn(candidate) {
  sessionStorage.setItem(TOKEN_KEY, candidate);
  try {
    await api('GET', 'api/v1/admin/queue');
  } catch (error) {
    signOut(error instanceof Refused ? 'The token was refused. Check it and try again.' : `The service did not answer: ${error.message}`);
    return;
  }
  $('sign-in-error').textContent = '';
  show(true, 'Connecting…');
  void follow();
}

/** Reads the admin stream until it ends; reconnects (fresh snapshot) after a restart or a drop. */
async function follow() {
  for (;;) {
    if (!token()) return;
    state.abort = new AbortController();
    try {
      const response = await fetch('api/v1/admin/stream', { headers: { Authorization: `Bearer ${token()}` }, signal: state.abort.signal });
      if (response.status === 401) return signOut('The token is no longer accepted.');
      if (!response.ok) throw new Error(`stream answered ${response.status}`);
      show(true, 'Live');
      await readEvents(response.body, handle);
      show(true, 'The stream ended (service restarting?); reconnecting…');
    } catch (error) {
      if (error.name === 'AbortError') return;
      show(true, `Cannot reach the service (${error.message}); retrying…`);
    }
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

async function readEvents(body, onEvent) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffered += value;
    let end;
    while ((end = buffered.indexOf('\n\n')) >= 0) {
      const block = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      let event = 'message';
      let data = '';
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data += line.slice(6);
      }
      if (data) onEvent(event, JSON.parse(data));
    }
  }
}

function handle(event, data) {
  if (event === 'snapshot') {
    state.active = new Map(data.active.items.map((item) => [item.execution_id, item]));
    state.pending = data.pending.items;
    state.pendingTotal = data.pending.total;
    state.users = data.users.items;
    state.deadLetters = data.dead_letters ?? {};
    setStatus(data.status);
  } else if (event === 'status' && !data.unavailable) {
    state.deadLetters = data.dead_letters ?? state.deadLetters;
    setStatus(data);
  } else if (event === 'change') {
    applyChange(data);
  }
  render();
}

function setStatus(status) {
  state.status = status;
  state.history.push({ at: Date.now(), byPriority: { ...status.by_priority } });
  const cutoff = Date.now() - HISTORY_MS;
  while (state.history.length > 0 && state.history[0].at < cutoff) state.history.shift();
}

function applyChange(change) {
  switch (change.type) {
    case 'dispatched':
      state.active.set(change.execution_id, { execution_id: change.execution_id, user_id: change.user_id, priority: change.priority, dispatched_at: change.at });
      break;
    case 'finished':
    case 'cancelled':
      state.active.delete(change.execution_id);
      break;
    case 'accepted':
      // Shown at once, where it was queued; the next refresh puts every position right.
      state.pending.splice(Math.min(change.position, state.pending.length), 0, {
        execution_id: change.execution_id,
        user_id: change.user_id,
        priority: change.priority,
        effective_priority: change.priority,
        position: change.position,
        age_seconds: 0,
        estimated_start_at: change.estimated_wait_seconds === null ? null : new Date(Date.now() + change.estimated_wait_seconds * 1000).toISOString(),
      });
      state.pendingTotal += 1;
      break;
    case 'rejected':
      state.refusals[change.reason] = (state.refusals[change.reason] ?? 0) + 1;
      break;
    case 'held':
    case 'resumed':
      if (state.status) state.status.held = change.type === 'held';
      break;
  }
  scheduleRefresh();
}

let refreshTimer = null;
/** Pages and counts are read again at most once a second, whatever the rate of changes. */
function scheduleRefresh() {
  if (refreshTimer) return;
  refreshTimer = setTimeout(async () => {
    refreshTimer = null;
    try {
      const [status, pending, users] = await Promise.all([api('GET', 'api/v1/admin/queue'), api('GET', 'api/v1/admin/executions/pending?limit=100'), api('GET', 'api/v1/admin/queue/users?limit=20')]);
      state.pending = pending.items;
      state.pendingTotal = pending.total;
      state.users = users.items;
      setStatus(status);
      render();
    } catch (error) {
      if (error instanceof Refused) signOut('The token is no longer accepted.');
    }
  }, 1000);
}

function cell(text) {
  const td = document.createElement('td');
  td.textContent = text;
  return td;
}

function button(label, onClick, description) {
  const element = document.createElement('button');
  element.type = 'button';
  element.textContent = label;
  element.setAttribute('aria-label', description);
  element.addEventListener('click', onClick);
  return element;
}

function seconds(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 120 ? `${s} s` : `${Math.round(s / 60)} min`;
}

async function act(question, action) {
  if (!confirm(question)) return;
  try {
    await action();
    scheduleRefresh();
  } catch (error) {
    if (error instanceof Refused) signOut('The token is no longer accepted.');
    else alert(error.message);
  }
}

function render() {
  const status = state.status;
  if (!status) return;
  $('queue-depth').textContent = String(status.queue_depth);
  $('active-count').textContent = `${status.active_count} / ${status.max_active_executions}`;
  $('oldest-wait').textContent = status.oldest_pending_age_seconds === null ? '–' : seconds(status.oldest_pending_age_seconds * 1000);
  $('held-state').textContent = status.held ? 'Held' : 'Running';
  $('toggle-hold').textContent = status.held ? 'Resume dispatching' : 'Hold dispatching';
  $('levels-head').replaceChildren(...LEVELS.map((level) => Object.assign(document.createElement('th'), { textContent: level })));
  $('levels-row').replaceChildren(...LEVELS.map((level) => cell(String(status.by_priority[level]))));
  $('waiting-reason').textContent = status.held
    ? 'Dispatching is held: nothing starts until it is resumed.'
    : status.active_count >= status.max_active_executions && status.queue_depth > 0
      ? `Every slot is busy (${status.max_active_executions} at most); the first pending execution starts when one frees.`
      : '';

  const now = Date.now();
  $('active-rows').replaceChildren(
    ...[...state.active.values()].map((item) => {
      const row = document.createElement('tr');
      row.dataset.executionId = item.execution_id;
      const cancel = button('Cancel', () => act(`Cancel running execution ${item.execution_id}?`, () => api('DELETE', `api/v1/admin/executions/${encodeURIComponent(item.execution_id)}`)), `Cancel ${item.execution_id}`);
      const actions = document.createElement('td');
      actions.append(cancel);
      row.append(cell(item.execution_id), cell(item.user_id), cell(item.priority), cell(seconds(now - Date.parse(item.dispatched_at))), actions);
      return row;
    }),
  );

  $('pending-title').textContent = `Pending, in dispatch order (${state.pendingTotal})`;
  $('pending-rows').replaceChildren(
    ...state.pending.map((item) => {
      const row = document.createElement('tr');
      row.dataset.executionId = item.execution_id;
      const level = document.createElement('select');
      level.setAttribute('aria-label', `New priority for ${item.execution_id}`);
      for (const name of LEVELS) level.append(new Option(name, name, false, name === item.priority));
      const move = button('Move', () => act(`Move ${item.execution_id} to ${level.value}?`, () => api('PUT', `api/v1/admin/executions/${encodeURIComponent(item.execution_id)}/priority`, { priority: level.value })), `Move ${item.execution_id}`);
      const cancel = button('Cancel', () => act(`Cancel pending execution ${item.execution_id}?`, () => api('DELETE', `api/v1/admin/executions/${encodeURIComponent(item.execution_id)}`)), `Cancel ${item.execution_id}`);
      const actions = document.createElement('td');
      actions.append(level, ' ', move, ' ', cancel);
      const start = item.estimated_start_at ? `in ${seconds(Date.parse(item.estimated_start_at) - now)}` : 'unknown';
      row.append(cell(String(item.position)), cell(item.execution_id), cell(item.user_id), cell(item.effective_priority), cell(seconds(item.age_seconds * 1000)), cell(start), actions);
      return row;
    }),
  );

  $('user-rows').replaceChildren(
    ...state.users.map((user) => {
      const row = document.createElement('tr');
      const weigh = button('Weight…', () => {
        const answer = prompt(`New weight for ${user.user_id} (1-100)`, String(user.weight));
        if (answer === null) return;
        void act(`Set the weight of ${user.user_id} to ${answer}?`, () => api('PUT', `api/v1/admin/queue/users/${encodeURIComponent(user.user_id)}`, { weight: Number(answer) }));
      }, `Set the weight of ${user.user_id}`);
      const actions = document.createElement('td');
      actions.append(weigh);
      row.append(cell(user.user_id), cell(String(user.pending)), cell(String(user.active)), cell(String(status.max_executions_per_user)), cell(String(user.weight)), actions);
      return row;
    }),
  );

  listCounts('refusals', state.refusals);
  listCounts('dead-letters', state.deadLetters);
  renderChart();
}

/** A list of `reason: count` lines, or "None" when every count is 0. */
function listCounts(id, counts) {
  const entries = Object.entries(counts).filter(([, count]) => count > 0);
  const line = (text) => Object.assign(document.createElement('li'), { textContent: text });
  $(id).replaceChildren(...(entries.length === 0 ? [line('None')] : entries.map(([reason, count]) => line(`${reason}: ${count}`))));
}

function renderChart() {
  const svg = $('depth-chart');
  const now = Date.now();
  const points = state.history;
  const top = Math.max(1, ...points.flatMap((point) => LEVELS.map((level) => point.byPriority[level])));
  const x = (at) => ((at - (now - HISTORY_MS)) / HISTORY_MS) * 600;
  const y = (count) => 155 - (count / top) * 150;
  svg.replaceChildren(
    ...LEVELS.map((level, index) => {
      const line = document.createElementNS('http://www.w3.org/2000/svg', 'polyline');
      line.setAttribute('fill', 'none');
      line.setAttribute('stroke', COLORS[index]);
      line.setAttribute('stroke-width', '2');
      line.setAttribute('points', points.map((point) => `${x(point.at).toFixed(1)},${y(point.byPriority[level]).toFixed(1)}`).join(' '));
      return line;
    }),
  );
  $('chart-legend').textContent = `${LEVELS.map((level, index) => `${level} (${['red', 'orange', 'blue', 'green', 'grey'][index]})`).join(', ')}; top of the chart: ${top}`;
}

$('sign-in-form').addEventListener('submit', (event) => {
  event.preventDefault();
  void signIn($('token').value.trim());
});
$('sign-out').addEventListener('click', () => signOut());
$('toggle-hold').addEventListener('click', () => {
  const held = state.status?.held;
  void act(held ? 'Resume dispatching?' : 'Hold dispatching? Running executions continue; nothing new starts.', () => api('POST', `api/v1/admin/queue/${held ? 'resume' : 'hold'}`));
});

if (token()) void signIn(token());
else show(false, 'Not signed in');
