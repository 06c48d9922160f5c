/** A Jupyter client on a kernel's raw channels, for tests that cut its connection. */
import WebSocket from "ws";
import { LONG } from "../../e2e/lib/constants.js";
import { Waiters } from "./waiters.js";

export type Msg = {
  header: { msg_id: string; msg_type: string };
  parent_header: { msg_id?: string };
  content: Record<string, unknown>;
  channel?: string;
};

/** A Jupyter client that keeps its session_id across connections and records what each connection got. */
export class JupyterClient {
  readonly received: Array<{ conn: number; msg: Msg }> = [];
  conns = 0;
  attempts = 0;
  ws: WebSocket | null = null;
  private readonly waiters = new Waiters();

  /** `track` is given every socket opened (the test closes them all at the end). */
  constructor(
    private readonly url: string,
    private readonly headers: Record<string, string>,
    private readonly track: (ws: WebSocket) => void = () => {},
  ) {}

  /** One connection attempt; a handshake that does not finish in 3 s counts as failed (a client's own timeout). */
  open(): Promise<void> {
    this.attempts++;
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.url, { headers: this.headers, handshakeTimeout: 3_000 });
      this.track(ws);
      const conn = this.conns + 1;
      ws.on("message", (data: Buffer) => {
        this.received.push({ conn, msg: JSON.parse(data.toString("utf8")) as Msg });
        this.waiters.wake();
      });
      ws.once("open", () => {
        this.conns = conn;
        this.ws = ws;
        resolve();
      });
      ws.once("error", reject);
      ws.on("error", () => {});
      ws.once("close", () => {
        if (this.ws === ws) this.ws = null;
        this.waiters.wake();
        reject(new Error("closed before it opened"));
      });
    });
  }

  /** Reconnects with the same session_id, retrying every 250 ms until a connection opens. */
  async reconnect(timeoutMs = 120_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      try {
        await this.open();
        return;
      } catch (err) {
        if (Date.now() > end) throw new Error(`no connection within ${timeoutMs} ms: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }

  send(msg: object): void {
    this.ws!.send(JSON.stringify(msg));
  }

  /** Resolves when `check` holds (checked on every message and close). */
  until(check: () => boolean, what: string, timeoutMs = LONG): Promise<void> {
    return this.waiters.until(check, what, timeoutMs);
  }

  /** Messages caused by one request, in the order they arrived. */
  of(msgId: string): Array<{ conn: number; msg: Msg }> {
    return this.received.filter((r) => r.msg.parent_header?.msg_id === msgId);
  }

  streamText(msgId: string, conn?: number): string {
    return this.of(msgId)
      .filter((r) => r.msg.header.msg_type === "stream" && (conn === undefined || r.conn === conn))
      .map((r) => String(r.msg.content.text))
      .join("");
  }
}
