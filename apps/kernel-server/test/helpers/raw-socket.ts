import WebSocket from "ws";

/** A socket that records every text message from the moment it is created. */
export type RecordingSocket = WebSocket & { received: any[] };

/**
 * Opens a WebSocket and resolves once open, or rejects with the HTTP status of a refusal.
 * Messages are recorded from the start: a server may send (a snapshot, a replay) in the
 * same packet as the handshake, before a listener added after `open` would see it.
 */
export function openSocket(url: string, options: WebSocket.ClientOptions = {}, protocols?: string[]): Promise<RecordingSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, options) as RecordingSocket;
    ws.received = [];
    ws.on("message", (data: Buffer, isBinary: boolean) => {
      if (!isBinary) ws.received.push(JSON.parse(data.toString("utf8")));
    });
    ws.once("open", () => resolve(ws));
    ws.once("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once("error", reject);
  });
}

/** Resolves with the first message received so far or later that `until` accepts. */
export function waitFor<T = any>(ws: RecordingSocket, until: (msg: T) => boolean, timeoutMs = 20000): Promise<T> {
  return new Promise((resolve, reject) => {
    let seen = 0;
    const check = () => {
      for (; seen < ws.received.length; seen++) {
        if (until(ws.received[seen])) {
          clearTimeout(timer);
          ws.off("message", check);
          resolve(ws.received[seen]);
          return;
        }
      }
    };
    const timer = setTimeout(() => {
      ws.off("message", check);
      reject(new Error(`timed out waiting for a message (${ws.received.length} received)`));
    }, timeoutMs);
    ws.on("message", () => setImmediate(check));
    check();
  });
}

/** A Jupyter request frame for the default JSON framing. */
export function request(msgType: string, content: Record<string, unknown>, channel = "shell", session = "test-session") {
  const msgId = `${msgType}-${Math.random().toString(16).slice(2)}`;
  return {
    msgId,
    frame: JSON.stringify({
      header: { msg_id: msgId, msg_type: msgType, session, username: "t", date: new Date().toISOString(), version: "5.3" },
      parent_header: {},
      metadata: {},
      content,
      channel,
      buffers: [],
    }),
  };
}
