/**
 * A page-like client of the document socket for server tests: the snapshot, then every op
 * applied with the shared reducer in version order, with waits on conditions.
 */
import assert from "node:assert/strict";
import { applyOp, type DocOp, type DocServerMessage, type DocState, type Output } from "@tessera/protocol";
import { openSocket, type RecordingSocket } from "./raw-socket.js";
import type { TestServer } from "./test-server.js";

/** A page-like view: the snapshot, then every op applied with the shared reducer, in version order. */
export class DocPage {
  state: DocState | null = null;
  version = -1;
  kernelId: string | null = null;
  opsMessages = 0;
  saves: Array<{ at: number; error?: string }> = [];
  /** Every op received, in order. */
  ops: DocOp[] = [];
  private seen = 0;

  private constructor(readonly ws: RecordingSocket) {}

  static async open(t: TestServer, path: string): Promise<DocPage> {
    const v = new DocPage(await openSocket(`${t.ws}api/tessera/documents?path=${encodeURIComponent(path)}&token=${t.token}`));
    await v.until(() => v.state !== null, "the snapshot");
    return v;
  }

  snapshot(): Extract<DocServerMessage, { type: "snapshot" }> {
    return this.ws.received.find((m) => m.type === "snapshot");
  }

  private take(): void {
    for (; this.seen < this.ws.received.length; this.seen++) {
      const msg = this.ws.received[this.seen] as DocServerMessage;
      if (msg.type === "snapshot") {
        this.state = { notebook: msg.notebook, run: msg.run };
        this.version = msg.version;
        this.kernelId = msg.kernel.id;
      } else if (msg.type === "ops" && this.state) {
        assert.equal(msg.version - msg.ops.length, this.version, "ops arrive in order, none skipped or repeated");
        for (const op of msg.ops) applyOp(this.state, op);
        this.ops.push(...msg.ops);
        this.version = msg.version;
        this.opsMessages++;
      } else if (msg.type === "kernel") this.kernelId = msg.kernel.id ?? this.kernelId;
      else if (msg.type === "save") this.saves.push({ at: Date.now(), error: msg.save.error });
    }
  }

  async until(test: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.take();
      if (test()) return;
      if (Date.now() > deadline)
        throw new Error(
          `timed out waiting until ${what}; errors: ${JSON.stringify(this.ws.received.filter((m) => m.type === "error" || (m.type === "reply" && !m.ok)))}`,
        );
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Sends a request and waits for its reply (for ops: the ops coming back, or an error reply). */
  async request(msg: Record<string, unknown>, timeoutMs = 60_000): Promise<{ ok: boolean; error?: string }> {
    const requestId = `r${Math.random().toString(16).slice(2)}`;
    this.ws.send(JSON.stringify({ ...msg, requestId }));
    let reply: { type: string; ok: boolean; error?: string } | undefined;
    const answer = () => (reply = this.ws.received.find((m) => (m.type === "reply" || m.type === "ops") && m.requestId === requestId));
    await this.until(() => !!answer(), `the reply to ${String(msg.type)}`, timeoutMs);
    return reply!.type === "ops" ? { ok: true } : reply!;
  }

  async run(id: string, source: string, timeoutMs = 300_000): Promise<void> {
    await this.request({
      type: "ops",
      ops: [
        {
          op: "insert_cell",
          index: this.state!.notebook.cells.length,
          cell: { id, cell_type: "code", source, metadata: {}, execution_count: null, outputs: [] },
        },
      ],
    });
    await this.until(() => !!this.cell(id), "the cell is inserted");
    const ok = await this.request({ type: "execute", cellIds: [id] });
    assert.ok(ok.ok, ok.error);
    await this.until(
      () => this.state!.run[id]?.state === "idle" && this.state!.run[id]?.status !== undefined,
      `cell ${id} finished`,
      timeoutMs,
    );
  }

  cell(id: string): { outputs: Output[] } {
    return this.state!.notebook.cells.find((c) => c.id === id) as unknown as { outputs: Output[] };
  }

  close(): void {
    this.ws.close();
  }
}
