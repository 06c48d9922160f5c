import assert from "node:assert/strict";
import { test } from "node:test";
import { joinSource, sourcesOf, type Cell } from "@tessera/protocol";
import { DocClient } from "../src/channel/doc-client.js";
import { FakeSocket, FakeTimers, notebook, snapshot, TextServer } from "./fakes.js";

const code = (id: string, source = ""): Cell => ({ id, cell_type: "code", source, metadata: {}, execution_count: null, outputs: [] });

function setup() {
  const timers = new FakeTimers();
  const sockets: FakeSocket[] = [];
  const client = new DocClient({
    path: "a.ipynb",
    url: (p) => `ws://host/api/tessera/documents?path=${encodeURIComponent(p)}`,
    createSocket: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    },
    timers,
    now: () => timers.now,
    backoff: { initialMs: 500, maxMs: 8000, factor: 2, random: () => 0.999999 },
    requestTimeoutMs: 1000,
  });
  const notices: string[] = [];
  client.onNotice((m) => notices.push(m));
  const last = () => sockets[sockets.length - 1];
  return { client, timers, sockets, last, notices };
}

const source = (client: DocClient, id: string) => joinSource(client.getState().doc!.notebook.cells.find((c) => c.id === id)!.source);

test("connects, asks for a kernel, and shows the snapshot", () => {
  const { client, last } = setup();
  client.start();
  assert.equal(last().url, "ws://host/api/tessera/documents?path=a.ipynb");
  assert.equal(client.getState().connection.status, "connecting");
  last().open();
  assert.deepEqual(last().sentOfType("start_kernel").length, 1);
  last().receive(snapshot(3, notebook([{ id: "a", source: "x" }])));
  const state = client.getState();
  assert.equal(state.connection.status, "open");
  assert.equal(state.version, 3);
  assert.equal(state.clientId, "me");
  assert.equal(source(client, "a"), "x");
});

test("typing goes out as a Yjs update at once, before a run, and lands in the source", () => {
  const { client, last } = setup();
  client.start();
  last().open();
  const nb = notebook([{ id: "a" }, { id: "b" }]);
  const server = new TextServer(nb);
  last().receive(snapshot(1, nb, "me", {}, server));
  client.text.textOf("a")!.insert(0, "con");
  assert.equal(source(client, "a"), "con", "shown at once");
  const sent = last().sentOfType("text");
  assert.equal(sent.length, 1);
  for (const m of sent) server.take(m);
  assert.equal(server.text("a"), "con");

  client.text.textOf("b")!.insert(0, "1+1");
  assert.equal(client.execute(["b"]), true);
  const tail = last().sent.slice(-2);
  assert.deepEqual(
    tail.map((m) => m.type),
    ["text", "execute"],
    "text goes before the run",
  );
  assert.equal(last().sentOfType("ops").length, 0, "no whole-text set_source");
});

test("another page's typing merges with ours; a set_source edit becomes a text edit", () => {
  const { client, last } = setup();
  client.start();
  last().open();
  const nb = notebook([{ id: "a", source: "ab" }]);
  const server = new TextServer(nb);
  last().receive(snapshot(1, nb, "me", {}, server));
  client.text.textOf("a")!.insert(2, "Z");
  // Another page typed at the start before our update reached the server.
  const theirs = server.change((doc) => sourcesOf(doc).get("a")!.insert(0, "X"));
  for (const m of last().sentOfType("text")) server.take(m);
  last().receive({ type: "text", gen: server.gen, update: theirs });
  assert.equal(source(client, "a"), "XabZ");
  assert.equal(server.text("a"), "XabZ");
  client.edit([{ op: "set_source", id: "a", source: "XabZ!" }]);
  assert.equal(last().sentOfType("ops").length, 0);
  for (const m of last().sentOfType("text")) server.take(m);
  assert.equal(server.text("a"), "XabZ!");
  // An update of an older generation (before a revert) is dropped.
  last().receive({ type: "text", gen: "old", update: server.change((doc) => sourcesOf(doc).get("a")!.insert(0, "?")) });
  assert.equal(source(client, "a"), "XabZ!");
});

test("a cell deleted by another page is told before it disappears, with its text", () => {
  const { client, last } = setup();
  client.start();
  last().open();
  last().receive(snapshot(1, notebook([{ id: "a", source: "mine" }, { id: "b" }])));
  const told: string[] = [];
  client.onRemoteDelete((d) => told.push(`${d.index}:${joinSource(d.cell.source)}`));
  last().receive({ type: "ops", version: 2, ops: [{ op: "delete_cell", id: "a" }], origin: "other" });
  assert.deepEqual(told, ["0:mine"]);
  client.edit([{ op: "delete_cell", id: "b" }]);
  const sent = last().sentOfType("ops")[0];
  last().receive({ type: "ops", version: 3, ops: sent.ops, origin: "me", requestId: sent.requestId });
  assert.deepEqual(told, ["0:mine"], "our own deletes are not told");
});

test("echoes confirm edits; server ops from others land in order", () => {
  const { client, last } = setup();
  client.start();
  last().open();
  last().receive(snapshot(1, notebook([{ id: "a" }])));
  client.edit([{ op: "insert_cell", index: 1, cell: code("b") }]);
  const sent = last().sentOfType("ops")[0];
  assert.equal(client.getState().unsentEdits, 1);
  last().receive({ type: "ops", version: 2, ops: [{ op: "append_stream", id: "a", name: "stdout", text: "hi\n" }] });
  last().receive({ type: "ops", version: 3, ops: sent.ops, origin: "me", requestId: sent.requestId });
  const state = client.getState();
  assert.equal(state.unsentEdits, 0);
  assert.deepEqual(
    state.doc!.notebook.cells.map((c) => c.id),
    ["a", "b"],
  );
  assert.equal(state.version, 3);
});

test("a refused edit rolls back and tells the user", () => {
  const { client, last, notices } = setup();
  client.start();
  last().open();
  last().receive(snapshot(1, notebook([{ id: "a" }])));
  client.edit([{ op: "delete_cell", id: "a" }]);
  assert.equal(client.getState().doc!.notebook.cells.length, 0);
  const sent = last().sentOfType("ops")[0];
  last().receive({ type: "reply", requestId: sent.requestId, ok: false, error: "read-only" });
  assert.equal(client.getState().doc!.notebook.cells.length, 1);
  assert.match(notices[0], /read-only/);
});

test("reconnects with backoff and re-sends edits and text the new snapshot lacks", () => {
  const { client, timers, sockets, last } = setup();
  client.start();
  last().open();
  const server = new TextServer(notebook([{ id: "a" }]));
  last().receive(snapshot(1, notebook([{ id: "a" }]), "me", {}, server));
  client.edit([{ op: "insert_cell", index: 1, cell: code("b", "kept") }]);
  last().drop();
  assert.equal(client.getState().connection.status, "reconnecting");
  // Typed while offline: kept locally.
  client.edit([{ op: "set_source", id: "a", source: "offline" }]);
  assert.equal(source(client, "a"), "offline");
  assert.equal(client.getState().unsentEdits, 2);
  assert.equal(sockets.length, 1);
  timers.advance(499);
  assert.equal(sockets.length, 1, "waits for the backoff");
  timers.advance(1);
  assert.equal(sockets.length, 2);
  last().drop();
  timers.advance(999);
  assert.equal(sockets.length, 2, "second retry waits longer");
  timers.advance(1);
  assert.equal(sockets.length, 3);
  last().open();
  // The server had applied the insert before the drop, and output arrived meanwhile.
  const nb = notebook([{ id: "a" }, { id: "b", source: "kept" }]);
  (nb.cells[1] as any).outputs = [{ output_type: "stream", name: "stdout", text: "while away\n" }];
  last().receive(snapshot(7, nb, "me2", {}, server));
  assert.equal(last().sentOfType("ops").length, 0, "the insert is already there");
  // What was typed offline is sent as the part of the text the server lacks.
  for (const m of last().sentOfType("text")) server.take(m);
  assert.equal(server.text("a"), "offline");
  const state = client.getState();
  assert.equal(state.connection.status, "open");
  assert.equal(state.connection.attempt, 0);
  assert.equal(source(client, "a"), "offline");
  assert.equal((state.doc!.notebook.cells[1] as any).outputs.length, 1);
  assert.equal(client.getState().unsentEdits, 0);
});

test("a skipped version forces a fresh snapshot", () => {
  const { client, timers, sockets, last } = setup();
  client.start();
  last().open();
  last().receive(snapshot(1, notebook([{ id: "a" }])));
  last().receive({ type: "ops", version: 3, ops: [{ op: "clear_outputs", id: "a" }] });
  assert.deepEqual(sockets[0].closed, { code: 4000, reason: "resync" });
  timers.advance(0);
  assert.equal(sockets.length, 2);
  last().open();
  last().receive(snapshot(3, notebook([{ id: "a", source: "fresh" }])));
  assert.equal(source(client, "a"), "fresh");
  assert.equal(client.getState().version, 3);
});

test("complete resolves on its reply; times out; fails when the socket drops", async () => {
  const { client, timers, last } = setup();
  client.start();
  last().open();
  last().receive(snapshot(1, notebook([{ id: "a" }])));
  const p = client.complete("a", "Math.", 5);
  const req = last().sentOfType("complete")[0];
  assert.deepEqual([req.cellId, req.code, req.cursorPos], ["a", "Math.", 5]);
  const result = { status: "ok", matches: ["abs"], cursor_start: 5, cursor_end: 5, metadata: {} };
  last().receive({ type: "reply", requestId: req.requestId, ok: true, result });
  assert.deepEqual(await p, result);

  const slow = client.complete("a", "x", 1);
  timers.advance(1000);
  await assert.rejects(slow, /timed out/);

  const dropped = client.inspect("a", "x", 1);
  last().drop();
  await assert.rejects(dropped, /connection lost/);
  await assert.rejects(client.complete("a", "x", 1), /not connected/);
});

test("commands while disconnected are refused with a notice; save waits for the reconnect", () => {
  const { client, timers, last, notices } = setup();
  client.start();
  last().open();
  last().receive(snapshot(1, notebook([{ id: "a" }])));
  last().drop();
  assert.equal(client.execute(["a"]), false);
  assert.match(notices[0], /not connected/);
  client.requestSave();
  timers.advance(500);
  last().open();
  assert.equal(last().sentOfType("save").length, 0);
  last().receive(snapshot(1, notebook([{ id: "a" }])));
  assert.equal(last().sentOfType("save").length, 1);
});

test("kernel, save, input and moved messages update the state; 44xx closes for good", () => {
  const { client, timers, sockets, last } = setup();
  client.start();
  last().open();
  last().receive(snapshot(1, notebook([{ id: "a" }])));
  last().receive({ type: "kernel", kernel: { id: "k", status: "busy" } });
  last().receive({ type: "save", save: { dirty: true, lastSaved: null, diskChanged: true } });
  last().receive({ type: "input_request", cellId: "a", prompt: "name?", password: false });
  let s = client.getState();
  assert.equal(s.kernel.status, "busy");
  assert.equal(s.save.diskChanged, true);
  assert.deepEqual(s.inputs.get("a"), { prompt: "name?", password: false });
  client.inputReply("bob");
  assert.deepEqual(last().sentOfType("input_reply")[0], { type: "input_reply", value: "bob" });
  last().receive({ type: "input_done", cellId: "a" });
  last().receive({ type: "moved", path: "b.ipynb" });
  s = client.getState();
  assert.equal(s.inputs.size, 0);
  assert.equal(s.path, "b.ipynb");
  last().drop(4404, "no such notebook");
  timers.advance(60_000);
  assert.equal(sockets.length, 1);
  assert.equal(client.getState().connection.status, "closed");
  assert.equal(client.getState().connection.reason, "no such notebook");
});

test("reconnects to the notebook's new path after a rename", () => {
  const { client, timers, last } = setup();
  client.start();
  last().open();
  last().receive(snapshot(1, notebook([{ id: "a" }])));
  last().receive({ type: "moved", path: "dir/new name.ipynb" });
  last().drop();
  timers.advance(500);
  assert.equal(last().url, "ws://host/api/tessera/documents?path=dir%2Fnew%20name.ipynb");
});
