// A WebSocket that comes back: reconnects with backoff, says when it is down, and falls back to
// polling while it cannot connect (a network that blocks WebSockets).

/**
 * @param {object} o
 * @param {() => string} o.url the socket's URL (read again at each attempt: tokens change)
 * @param {(msg: any) => void} o.onMessage
 * @param {() => Promise<void>} o.poll reads the state over HTTP (at start, after a reconnect, and while down)
 * @param {(up: boolean) => void} [o.onState]
 * @param {(ws: WebSocket) => void} [o.onOpen] called with each new connection (to send what waited)
 * @param {number} [o.pollEvery] ms between polls while the socket is down
 */
export function live(o) {
  let ws = /** @type {WebSocket | null} */ (null);
  let stopped = false;
  let attempt = 0;
  let timer = 0;
  let pollTimer = 0;
  let pinger = 0;
  const pollEvery = o.pollEvery || 5000;

  const polling = () => {
    clearInterval(pollTimer);
    pollTimer = window.setInterval(() => o.poll().catch(() => {}), pollEvery);
  };

  const connect = () => {
    if (stopped) return;
    let opened = false;
    try {
      ws = new WebSocket(o.url());
    } catch {
      retry();
      return;
    }
    ws.onopen = () => {
      opened = true;
      attempt = 0;
      clearInterval(pollTimer);
      o.onState?.(true);
      if (ws) o.onOpen?.(ws);
      // Catch up on anything said while we were away.
      o.poll().catch(() => {});
      pinger = window.setInterval(() => ws?.readyState === 1 && ws.send('{"type":"ping"}'), 25000);
    };
    ws.onmessage = (e) => {
      let msg;
      try {
        msg = JSON.parse(e.data);
      } catch {
        return;
      }
      if (msg.type === "session_ended") {
        stopped = true;
      }
      o.onMessage(msg);
    };
    ws.onclose = () => {
      clearInterval(pinger);
      if (stopped) return;
      if (opened) o.onState?.(false);
      retry();
    };
  };

  const retry = () => {
    o.onState?.(false);
    polling();
    attempt += 1;
    timer = window.setTimeout(connect, Math.min(30000, 500 * 2 ** Math.min(attempt, 6)));
  };

  o.poll().catch(() => {});
  connect();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      clearInterval(pollTimer);
      clearInterval(pinger);
      ws?.close();
    },
  };
}
