/** The document channel: the server owns the notebook; pages are views of it. */
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import WebSocket from "ws";
import { applyOp, joinSource, type DocServerMessage, type DocState } from "@tessera/protocol";
import { openSocket } from "./helpers/raw-socket.js";
import { startTestServer, type TestServer } from "./helpers/test-server.js";

/** A page-like client: applies the snapshot and ops it receives, like the real page. */
class View {
  state!: DocState;
  version = -1;
  clientId = "";
  messages: DocServerMessage[] = [];
  private waiters: Array<{ test: () => boolean; resolve: () => void }> = [];

  constructor(readonly ws: WebSocket) {
    ws.on("message", (d: Buffer) => this.take(JSON.parse(d.toString()) as DocServerMessage));
  }

  take(msg: DocServerMessage): void {
    {
      this.messages.push(msg);
      if (msg.type === "snapshot") {
        this.state = { notebook: msg.notebook, run: msg.run };
        this.version = msg.version;
        this.clientId = msg.clientId;
      } else if (msg.type === "ops") {
        assert.equal(msg.version - msg.ops.length, this.version, "ops arrive in order, none skipped or repeated");
        for (const op of msg.ops) applyOp(this.state, op);
        this.version = msg.version;
      }
      this.waiters = this.waiters.filter((w) => (w.test() ? (w.resolve(), false) : true));
    }
  }

  static async open(t: TestServer, path: string): Promise<View> {
    const ws = await openSocket(`${t.ws}api/tessera/documents?path=${encodeURIComponent(path)}&token=${t.token}`);
    const early = ws.received.splice(0);
    const v = new View(ws);
    for (const m of early) v.take(m);
    await v.until(() => v.version >= 0);
    return v;
  }

  send(msg: object): void {
    this.ws.send(JSON.stringify(msg));
  }

  until(test: () => boolean, timeoutMs = 20000): Promise<void> {
    if (test()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("timed out")), timeoutMs);
      this.waiters.push({ test, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  cell(id: string) {
    return this.state.notebook.cells.find((c) => c.id === id) as any;
  }

  text(id: string): string {
    return (this.cell(id)?.outputs ?? [])
      .filter((o: any) => o.output_type === "stream")
      .map((o: any) => joinSource(o.text))
      .join("");
  }
}

const emptyNb = { nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [] };

describe("document channel", () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => t?.close());

  it("applies edits, runs cells and saves outputs to disk", async () => {
    await writeFile(join(t.root, "doc.ipynb"), JSON.stringify(emptyNb));
    const v = await View.open(t, "doc.ipynb");
    v.send({
      type: "ops",
      ops: [
        {
          op: "insert_cell",
          index: 0,
          cell: {
            id: "a",
            cell_type: "code",
            source: "const n = 21;\nconsole.log('hi');\nn * 2",
            metadata: {},
            execution_count: null,
            outputs: [],
          },
        },
      ],
    });
    await v.until(() => !!v.cell("a"));
    v.send({ type: "execute", cellIds: ["a"] });
    await v.until(() => v.state.run.a?.state === "idle" && v.state.run.a?.status === "ok");
    assert.equal(v.text("a"), "hi\n");
    const result = v.cell("a").outputs.find((o: any) => o.output_type === "execute_result");
    assert.equal(result.data["text/plain"], "42");
    assert.equal(v.cell("a").execution_count, 1);
    assert.ok(typeof v.state.run.a.durationMs === "number");
    // Running it again replaces its outputs.
    v.send({ type: "execute", cellIds: ["a"] });
    await v.until(() => v.cell("a").execution_count === 2 && v.state.run.a?.state === "idle");
    assert.equal(v.text("a"), "hi\n");
    assert.equal(v.cell("a").outputs.length, 2);
    v.send({ type: "save", requestId: "s1" });
    await v.until(() => v.messages.some((m) => m.type === "reply" && m.requestId === "s1"));
    const disk = JSON.parse(await readFile(join(t.root, "doc.ipynb"), "utf8"));
    assert.equal(disk.cells[0].outputs.length, 2);
    assert.equal(disk.nbformat_minor, 5);
    v.ws.close();
  });

  it("keeps output flowing while no page is watching; a new page sees every line once", async () => {
    await writeFile(join(t.root, "reload.ipynb"), JSON.stringify(emptyNb));
    const first = await View.open(t, "reload.ipynb");
    const code = "for (let i = 0; i < 8; i++) { console.log(`tick ${i}`); await new Promise((r) => setTimeout(r, 150)); }";
    first.send({
      type: "ops",
      ops: [
        {
          op: "insert_cell",
          index: 0,
          cell: { id: "loop", cell_type: "code", source: code, metadata: {}, execution_count: null, outputs: [] },
        },
      ],
    });
    await first.until(() => !!first.cell("loop"));
    first.send({ type: "execute", cellIds: ["loop"] });
    await first.until(() => first.text("loop").includes("tick 1"));
    first.ws.terminate(); // the page reloads mid-run
    await new Promise((r) => setTimeout(r, 400));
    const second = await View.open(t, "reload.ipynb");
    await second.until(() => second.state.run.loop?.state === "idle");
    const lines = second.text("loop").trim().split("\n");
    assert.deepEqual(
      lines,
      Array.from({ length: 8 }, (_, i) => `tick ${i}`),
    );
    second.ws.close();
  });

  it("keeps the head and a rolling tail of a flood, and counts what falls between", async () => {
    await writeFile(join(t.root, "flood.ipynb"), JSON.stringify(emptyNb));
    const v = await View.open(t, "flood.ipynb");
    // 300,000 lines of 8 characters: 2.4 MB, past the 2 MiB kept.
    const code = "const pad = (n: number) => String(n).padStart(7, '0');\nfor (let i = 0; i < 300_000; i++) console.log(pad(i));";
    v.send({
      type: "ops",
      ops: [
        {
          op: "insert_cell",
          index: 0,
          cell: { id: "f", cell_type: "code", source: code, metadata: {}, execution_count: null, outputs: [] },
        },
      ],
    });
    await v.until(() => !!v.cell("f"));
    v.send({ type: "execute", cellIds: ["f"] });
    await v.until(() => v.state.run.f?.state === "idle", 120_000);
    const outs = v.cell("f").outputs.map((o: any) => joinSource(o.text ?? ""));
    assert.equal(outs.length, 3, "head, notice, tail");
    assert.ok(outs[0].startsWith("0000000\n0000001\n"), "the head starts at the first line");
    assert.ok(outs[2].endsWith("0299998\n0299999\n"), "the tail ends at the last line");
    const m = /output truncated: ([\d,]+) more characters/.exec(outs[1]);
    assert.ok(m, outs[1]);
    assert.equal(outs[0].length + outs[2].length + Number(m[1].replace(/,/g, "")), 300_000 * 8, "every character kept or counted");
    v.ws.close();
  });

  it("answers a bad op with an error and keeps the document", async () => {
    await writeFile(join(t.root, "bad.ipynb"), JSON.stringify(emptyNb));
    const v = await View.open(t, "bad.ipynb");
    v.send({ type: "ops", requestId: "r1", ops: [{ op: "delete_cell", id: "missing" }] });
    v.send({ type: "ops", requestId: "r2", ops: [{ op: "append_output", id: "x", output: {} }] });
    v.ws.send("{nope");
    await v.until(() => v.messages.filter((m) => m.type === "reply" || m.type === "error").length >= 3);
    const replies = v.messages.filter((m) => m.type === "reply") as any[];
    assert.match(replies.find((r) => r.requestId === "r1").error, /no cell/);
    assert.match(replies.find((r) => r.requestId === "r2").error, /cannot be sent by a page/);
    assert.ok(v.messages.some((m) => m.type === "error" && /Malformed/.test(m.message)));
    v.ws.close();
  });

  it("asks for input through the page", async () => {
    await writeFile(join(t.root, "input.ipynb"), JSON.stringify(emptyNb));
    const v = await View.open(t, "input.ipynb");
    v.send({
      type: "ops",
      ops: [
        {
          op: "insert_cell",
          index: 0,
          cell: {
            id: "q",
            cell_type: "code",
            source: "const name = await input('Name? ');\n`hello ${name}`",
            metadata: {},
            execution_count: null,
            outputs: [],
          },
        },
      ],
    });
    await v.until(() => !!v.cell("q"));
    v.send({ type: "execute", cellIds: ["q"] });
    await v.until(() => v.messages.some((m) => m.type === "input_request"));
    v.send({ type: "input_reply", value: "Ada" });
    await v.until(() => v.state.run.q?.state === "idle");
    const result = v.cell("q").outputs.find((o: any) => o.output_type === "execute_result");
    assert.equal(result.data["text/plain"], "'hello Ada'");
    v.ws.close();
  });
});
