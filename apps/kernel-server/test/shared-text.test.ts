/**
 * The server's side of shared cell text: pages' Yjs updates merge and reach the other
 * pages and the file; an update that would do more than edit characters of an existing
 * cell's text is refused; awareness is stamped with the name the server knows.
 */
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as Y from "yjs";
import * as encoding from "lib0/encoding";
import { decodeUpdate, encodeUpdate, joinSource, sourcesOf } from "@tessera/protocol";
import { openSocket, waitFor, type RecordingSocket } from "./helpers/raw-socket.js";
import { startTestServer, type TestServer } from "./helpers/test-server.js";

/** A page made of a raw socket and a Y.Doc kept in step with the server's. */
class TextPage {
  readonly doc = new Y.Doc();
  gen = "";
  constructor(readonly ws: RecordingSocket) {}

  static async open(t: TestServer, path: string): Promise<TextPage> {
    const ws = await openSocket(`${t.ws}api/tessera/documents?path=${encodeURIComponent(path)}&token=${t.token}`);
    const page = new TextPage(ws);
    const snap = await waitFor(ws, (m) => m.type === "snapshot");
    page.gen = snap.text.gen;
    Y.applyUpdate(page.doc, decodeUpdate(snap.text.update), "server");
    ws.on("message", (d: Buffer) => {
      const m = JSON.parse(d.toString());
      if (m.type === "text" && m.gen === page.gen) Y.applyUpdate(page.doc, decodeUpdate(m.update), "server");
      if (m.type === "ops" && m.text) Y.applyUpdate(page.doc, decodeUpdate(m.text), "server");
    });
    page.doc.on("update", (u: Uint8Array, origin: unknown) => {
      if (origin !== "server") page.send({ type: "text", gen: page.gen, update: encodeUpdate(u) });
    });
    return page;
  }

  text(id: string): Y.Text {
    return sourcesOf(this.doc).get(id) as Y.Text;
  }

  send(msg: object): void {
    this.ws.send(JSON.stringify(msg));
  }

  /** Sends a hand-made update and waits for the server's error about it. */
  async refused(update: Uint8Array): Promise<string> {
    const seen = this.ws.received.length;
    this.send({ type: "text", gen: this.gen, update: encodeUpdate(update) });
    const err = await waitFor(this.ws, (m) => m.type === "error" && this.ws.received.indexOf(m) >= seen);
    return err.message as string;
  }
}

async function until(test: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const end = Date.now() + 20_000;
  while (!(await test())) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const nb = (cells: Array<[string, string]>) => ({
  nbformat: 4,
  nbformat_minor: 5,
  metadata: {},
  cells: cells.map(([id, source]) => ({ id, cell_type: "code", source, metadata: {}, outputs: [], execution_count: null })),
});

function awarenessUpdate(clientId: number, clock: number, state: unknown): string {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, 1);
  encoding.writeVarUint(enc, clientId);
  encoding.writeVarUint(enc, clock);
  encoding.writeVarString(enc, JSON.stringify(state));
  return encodeUpdate(encoding.toUint8Array(enc));
}

describe("shared cell text", () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => t?.close());

  it("merges two pages' concurrent typing, passes it on, and saves the merged text", async () => {
    await writeFile(join(t.root, "merge.ipynb"), JSON.stringify(nb([["c1", "middle"]])));
    const a = await TextPage.open(t, "merge.ipynb");
    const b = await TextPage.open(t, "merge.ipynb");
    // Typed at the same moment, neither having seen the other's.
    a.text("c1").insert(0, "start ");
    b.text("c1").insert(6, " end");
    await until(
      () => a.text("c1").toString() === "start middle end" && b.text("c1").toString() === "start middle end",
      "both pages merged",
    );
    await until(async () => {
      const saved = JSON.parse(await readFile(join(t.root, "merge.ipynb"), "utf8"));
      return joinSource(saved.cells[0].source) === "start middle end";
    }, "the merged text saved");
    // A whole-text replacement (set_source) merges with typing elsewhere in the cell.
    a.send({ type: "ops", ops: [{ op: "set_source", id: "c1", source: "START middle end" }], requestId: "r1" });
    b.text("c1").insert(16, "!");
    await until(
      () => a.text("c1").toString() === "START middle end!" && b.text("c1").toString() === "START middle end!",
      "replacement merged",
    );
    a.ws.close();
    b.ws.close();
  });

  it("a new cell's text arrives with the op that made it, and a deleted cell's text goes with it", async () => {
    await writeFile(join(t.root, "cells.ipynb"), JSON.stringify(nb([["c1", "x"]])));
    const a = await TextPage.open(t, "cells.ipynb");
    const b = await TextPage.open(t, "cells.ipynb");
    a.send({
      type: "ops",
      ops: [
        {
          op: "insert_cell",
          index: 1,
          cell: { id: "c2", cell_type: "code", source: "new", metadata: {}, outputs: [], execution_count: null },
        },
      ],
    });
    const ops = await waitFor(b.ws, (m) => m.type === "ops" && m.ops[0].op === "insert_cell");
    assert.ok(ops.text, "the new text rides in the ops message");
    await until(() => b.text("c2")?.toString() === "new", "the new cell's text on the other page");
    b.text("c2").insert(3, "er");
    await until(() => a.text("c2")?.toString() === "newer", "typing in the new cell");
    a.send({ type: "ops", ops: [{ op: "delete_cell", id: "c2" }] });
    await until(() => b.text("c2") === undefined, "the deleted cell's text gone");
    a.ws.close();
    b.ws.close();
  });

  it("refuses updates that would add, replace or remove a cell's text, or put anything but characters in it", async () => {
    await writeFile(join(t.root, "hostile.ipynb"), JSON.stringify(nb([["c1", "keep me"]])));
    const a = await TextPage.open(t, "hostile.ipynb");
    const other = await TextPage.open(t, "hostile.ipynb");
    // A hand-made update from a copy of the page's doc that the page does not keep.
    const forged = (fn: (doc: Y.Doc) => void): Uint8Array => {
      const copy = new Y.Doc();
      Y.applyUpdate(copy, Y.encodeStateAsUpdate(a.doc));
      const sv = Y.encodeStateVector(copy);
      fn(copy);
      return Y.encodeStateAsUpdate(copy, sv);
    };
    assert.match(await a.refused(forged((d) => sourcesOf(d).set("planted", new Y.Text("x")))), /not add or replace cells/);
    assert.match(await a.refused(forged((d) => sourcesOf(d).delete("c1"))), /may not delete a cell's text/);
    assert.match(await a.refused(forged((d) => sourcesOf(d).get("c1")!.insertEmbed(0, { evil: true }))), /only insert characters/);
    assert.match(await a.refused(forged((d) => d.getMap("elsewhere").set("k", 1))), /not add or replace cells/);
    assert.match(await a.refused(new Uint8Array([200, 1, 2, 3, 4])), /could not be read|text update/);
    // The server is alive, the text is whole, and honest typing still works.
    a.text("c1").insert(7, "!");
    await until(() => other.text("c1").toString() === "keep me!", "honest typing after the refusals");
    assert.deepEqual([...sourcesOf(other.doc).keys()], ["c1"]);
    const status = await fetch(`${t.base}api/status`, { headers: { authorization: `token ${t.token}` } });
    assert.equal(status.status, 200);
    a.ws.close();
    other.ws.close();
  });

  it("stamps cursors with the name the server knows, keeps client ids per page, and drops a page's cursor when it leaves", async () => {
    await writeFile(join(t.root, "aw.ipynb"), JSON.stringify(nb([["c1", ""]])));
    const a = await TextPage.open(t, "aw.ipynb");
    const b = await TextPage.open(t, "aw.ipynb");
    const seen = b.ws.received.length;
    a.send({ type: "awareness", update: awarenessUpdate(a.doc.clientID, 1, { user: { name: "mallory", color: "red" }, cursor: null }) });
    const msg = await waitFor(b.ws, (m) => m.type === "awareness" && b.ws.received.indexOf(m) >= seen);
    const bytes = decodeUpdate(msg.update);
    const text = new TextDecoder().decode(bytes);
    assert.ok(!text.includes("mallory"), "the page's own claim of a name is replaced");
    const snapshotOf = (await waitFor(a.ws, (m) => m.type === "snapshot")).you;
    assert.ok(text.includes(JSON.stringify(snapshotOf.name)), `stamped with ${snapshotOf.name}`);
    // b may not publish under a's client id.
    b.send({ type: "awareness", update: awarenessUpdate(a.doc.clientID, 5, { cursor: null }) });
    await waitFor(b.ws, (m) => m.type === "error" && /belongs to another page/.test(m.message));
    // A third page joining gets a's cursor in its snapshot; when a leaves, b is told.
    const c = await TextPage.open(t, "aw.ipynb");
    const snapC = await waitFor(c.ws, (m) => m.type === "snapshot");
    assert.ok(snapC.awareness, "the snapshot carries the others' cursors");
    const before = b.ws.received.length;
    a.ws.close();
    const gone = await waitFor(b.ws, (m) => m.type === "awareness" && b.ws.received.indexOf(m) >= before);
    assert.ok(new TextDecoder().decode(decodeUpdate(gone.update)).includes("null"), "a's state removed");
    b.ws.close();
    c.ws.close();
  });

  it("marks the source a run executed, so a later edit makes the output outdated", async () => {
    await writeFile(join(t.root, "hash.ipynb"), JSON.stringify(nb([["c1", "1 + 1"]])));
    const a = await TextPage.open(t, "hash.ipynb");
    a.send({ type: "execute", cellIds: ["c1"], requestId: "run" });
    const done = await waitFor(
      a.ws,
      (m) => m.type === "ops" && m.ops.some((o: any) => o.op === "set_run_state" && o.run.state === "idle"),
      60_000,
    );
    const run = done.ops.find((o: any) => o.op === "set_run_state").run;
    const { sourceHash } = await import("@tessera/protocol");
    assert.equal(run.sourceHash, sourceHash("1 + 1"));
    assert.notEqual(sourceHash("1 + 1 "), run.sourceHash);
    a.ws.close();
  });
});
