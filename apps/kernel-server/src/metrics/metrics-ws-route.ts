import type { FastifyInstance, FastifyRequest } from "fastify";
import type { RawData, WebSocket } from "ws";
import type { MetricsClientMessage, MetricsServerMessage } from "@tessera/protocol";
import { keepAlive } from "../http/heartbeat.js";
import { clampInterval, type MetricsHub, type MetricsSubscription } from "./metrics-hub.js";

/** A page that stops reading misses samples (they are dropped, not queued); history still goes. */
const MAX_BACKLOG_BYTES = 4 * 1024 * 1024;

function sender(socket: WebSocket) {
  return (msg: MetricsServerMessage) => {
    if (socket.readyState !== socket.OPEN) return;
    if (msg.type === "sample" && socket.bufferedAmount > MAX_BACKLOG_BYTES) return;
    socket.send(JSON.stringify(msg));
  };
}

/** The message, or why it is not one. */
function read(data: RawData, isBinary: boolean): MetricsClientMessage | string {
  if (isBinary) return "binary frames are not accepted; send JSON text";
  let msg: unknown;
  try {
    msg = JSON.parse(data.toString());
  } catch (err) {
    return `Malformed message: ${(err as Error).message}`;
  }
  if (!msg || typeof msg !== "object" || typeof (msg as { type?: unknown }).type !== "string")
    return "Malformed message: expected an object with a type";
  const m = msg as { type: string; intervalMs?: unknown };
  if (m.type === "subscribe") {
    if (m.intervalMs !== undefined && (typeof m.intervalMs !== "number" || !Number.isFinite(m.intervalMs)))
      return "intervalMs must be a number of milliseconds";
    return { type: "subscribe", intervalMs: m.intervalMs };
  }
  if (m.type === "unsubscribe") return { type: "unsubscribe" };
  return `unknown message type ${JSON.stringify(m.type)} (expected "subscribe" or "unsubscribe")`;
}

/**
 * WebSocket `/api/tessera/metrics`: `subscribe` → `history` (last ten minutes) then a
 * `sample` every intervalMs. Auth and Origin are checked by the auth hook before the
 * upgrade, as for every route. Bad input gets an `error` reply; the socket stays open.
 * In workshop mode a student's stream holds only their own kernels.
 */
export function metricsWsRoute(
  app: FastifyInstance,
  opts: { hub: MetricsHub; filterFor: (req: FastifyRequest) => (msg: MetricsServerMessage) => MetricsServerMessage },
): void {
  app.get("/api/tessera/metrics", { websocket: true }, (socket, req) => {
    const filter = opts.filterFor(req);
    const raw = sender(socket);
    const send = (msg: MetricsServerMessage) => raw(filter(msg));
    let sub: MetricsSubscription | null = null;
    socket.on("message", (data: RawData, isBinary: boolean) => {
      const msg = read(data, isBinary);
      if (typeof msg === "string") return send({ type: "error", message: msg });
      if (msg.type === "unsubscribe") {
        sub?.close();
        sub = null;
        return;
      }
      const intervalMs = clampInterval(msg.intervalMs);
      if (sub) sub.setInterval(intervalMs);
      else sub = opts.hub.subscribe(intervalMs, send);
      // Sent before any sample can be: ticks run on later turns of the event loop.
      send(opts.hub.historyMessage(sub.intervalMs));
    });
    keepAlive(socket, 15_000);
    socket.on("close", () => sub?.close());
    socket.on("error", () => {});
  });
}
