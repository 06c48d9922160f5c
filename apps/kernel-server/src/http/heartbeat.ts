import type { WebSocket } from "ws";

/**
 * Pings a socket every `intervalMs` and drops it when the previous ping got no pong: a
 * peer that vanished without closing (a dropped tunnel, a closed laptop lid) is found.
 * `beat` runs on each round too (e.g. a ping message the page itself can see).
 */
export function keepAlive(socket: WebSocket, intervalMs: number, beat?: () => void): void {
  let alive = true;
  socket.on("pong", () => (alive = true));
  const timer = setInterval(() => {
    if (!alive) return socket.terminate();
    alive = false;
    socket.ping();
    beat?.();
  }, intervalMs);
  socket.on("close", () => clearInterval(timer));
}
