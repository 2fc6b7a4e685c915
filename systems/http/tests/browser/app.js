// Runs in Chromium: CRUD through fetch() against the todo API, then a WebSocket echo.
(async () => {
  const out = { steps: [] };
  const api = new URLSearchParams(location.search).get('api');
  const json = { 'Content-Type': 'application/json' };
  try {
    let r = await fetch(api + '/todos', { method: 'POST', headers: json, body: JSON.stringify({ title: 'from the browser' }) });
    out.created = { status: r.status, body: await r.json(), location: r.headers.get('Location') };
    const id = out.created.body.id;
    r = await fetch(api + '/todos/' + id, { method: 'PATCH', headers: json, body: JSON.stringify({ done: true }) });
    out.patched = await r.json();
    r = await fetch(api + '/todos?done=true');
    out.list = await r.json();
    r = await fetch(api + '/todos/999999');
    out.missing = { status: r.status, body: await r.json() };
    r = await fetch(api + '/todos/' + id, { method: 'DELETE' });
    out.deleted = r.status;

    const wsUrl = api.replace(/^http/, 'ws') + '/ws/echo';
    out.ws = await new Promise((resolve, reject) => {
      const ws = new WebSocket(wsUrl);
      ws.binaryType = 'arraybuffer';
      const got = [];
      const big = 'x'.repeat(100000);
      ws.onopen = () => {
        ws.send('héllo wörld');
        ws.send(new Uint8Array([0, 1, 2, 255]));
        ws.send(big);
      };
      ws.onmessage = (e) => {
        got.push(typeof e.data === 'string' ? (e.data === big ? 'big text ok' : e.data)
                                            : Array.from(new Uint8Array(e.data)).join(','));
        if (got.length === 3) ws.close(1000, 'done');
      };
      ws.onclose = (e) => resolve({ messages: got, code: e.code, clean: e.wasClean });
      ws.onerror = () => reject(new Error('websocket error'));
      setTimeout(() => reject(new Error('websocket timeout')), 10000);
    });
    out.ok = true;
  } catch (e) {
    out.error = String(e);
  }
  document.getElementById('result').textContent = JSON.stringify(out);
})();
