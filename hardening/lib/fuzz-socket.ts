/**
 * WebSocket plumbing for the fuzzer: sockets that record every message (JSON or v1
 * binary) from the start, waits with a deadline, the close code a frame provokes, and
 * the metrics socket's frames (simple enough to live here).
 */
import WebSocket from "ws";
import { type Rng, DEEP, PROTO_KEYS, randomJson, toJsonText } from "./fuzz-rng.js";

/** Any message the server sent: text frames parsed as JSON, v1 binary frames decoded to their JSON parts. */
export type Received = Record<string, any>;
export type FuzzSocket = WebSocket & { received: Received[] };

/** Reads a v1 frame the server sent (it only sends well-formed ones). */
function decodeV1(b: Buffer): Received {
  const n = Number(b.readBigUInt64LE(0));
  const offsets = Array.from({ length: n }, (_, i) => Number(b.readBigUInt64LE(8 * (i + 1))));
  const part = (i: number) => b.subarray(offsets[i], offsets[i + 1]).toString("utf8");
  return {
    channel: part(0),
    header: JSON.parse(part(1)),
    parent_header: JSON.parse(part(2)),
    metadata: JSON.parse(part(3)),
    content: JSON.parse(part(4)),
  };
}

export function openSocket(url: string, headers: Record<string, string>, protocols?: string[]): Promise<FuzzSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, { headers }) as FuzzSocket;
    ws.received = [];
    ws.on("message", (data: Buffer, isBinary: boolean) => {
      ws.received.push(isBinary ? decodeV1(data) : (JSON.parse(data.toString("utf8")) as Received));
    });
    ws.once("open", () => resolve(ws));
    ws.once("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode} opening ${url}`)));
    ws.once("error", reject);
  });
}

/** Resolves with the index of the first message from `from` on that `until` accepts. */
export function waitFor(ws: FuzzSocket, until: (m: Received) => boolean, what: string, from = 0, timeoutMs = 60_000): Promise<number> {
  return new Promise((resolve, reject) => {
    let seen = from;
    const check = () => {
      for (; seen < ws.received.length; seen++) {
        if (until(ws.received[seen])) {
          done();
          resolve(seen);
          return;
        }
      }
    };
    const onClose = (code: number) => {
      done();
      reject(new Error(`the socket closed (${code}) while waiting for ${what}`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`no answer within ${timeoutMs} ms: waiting for ${what} (${ws.received.length} messages received)`));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      ws.off("message", onMessage);
      ws.off("close", onClose);
    };
    const onMessage = () => setImmediate(check);
    ws.on("message", onMessage);
    ws.once("close", onClose);
    check();
  });
}

/**
 * Sends one frame that must end the connection (over 16 MiB: 1009; invalid UTF-8 in a
 * text frame: 1007) and resolves with the close code. A write error after the server
 * closed (it stops reading the oversized frame) is expected, not a failure.
 */
export async function closeCodeFor(
  url: string,
  headers: Record<string, string>,
  frame: Buffer,
  binary: boolean,
  protocols?: string[],
): Promise<number> {
  const ws = await openSocket(url, headers, protocols);
  ws.on("error", () => undefined);
  return new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the server did not close the socket within 60 s after a ${frame.length}-byte frame`)),
      60_000,
    );
    ws.once("close", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    ws.send(frame, { binary });
  });
}

export interface MetricsFrame {
  data: string | Buffer;
  binary: boolean;
  /** The answer it gets, in order: `history` for a subscribe, `error`, or nothing. */
  answer: "history" | "error" | null;
}

/** A frame for `/api/tessera/metrics`: subscribe/unsubscribe with good and bad fields, or garbage. */
export function metricsFrame(rng: Rng): MetricsFrame {
  const r = rng.next();
  if (r < 0.1) return { data: rng.bytes(rng.int(64)), binary: true, answer: "error" };
  if (r < 0.2) return { data: `{"type":"subscribe"${rng.word()}`, binary: false, answer: "error" };
  if (r < 0.3)
    return { data: toJsonText(rng.pick([randomJson(rng, 0), [], DEEP, [{ type: "subscribe" }]])), binary: false, answer: "error" };
  if (r < 0.4)
    return {
      data: toJsonText({ type: rng.pick([...PROTO_KEYS, rng.word(), "sample", "history", 5, null]) }),
      binary: false,
      answer: "error",
    };
  if (r < 0.55) {
    const bad = rng.pick(["1000", null, true, {}, [], "Infinity"]);
    return { data: toJsonText({ type: "subscribe", intervalMs: bad }), binary: false, answer: "error" };
  }
  if (r < 0.65) return { data: toJsonText({ type: "unsubscribe", extra: randomJson(rng, 1) }), binary: false, answer: null };
  // Any finite number is clamped to the allowed range.
  const intervalMs = rng.pick([undefined, 0, -5, 1, 250, 1000, 1e12, 2 ** 53, 0.5]);
  return {
    data: toJsonText({ type: "subscribe", intervalMs, extra: rng.chance(0.2) ? DEEP : randomJson(rng, 1) }),
    binary: false,
    answer: "history",
  };
}
