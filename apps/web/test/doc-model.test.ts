import assert from "node:assert/strict";
import { test } from "node:test";
import { joinSource, type Cell, type DocState } from "@tessera/protocol";
import { applyOpsCow } from "../src/channel/cow.js";
import { DocModel, reconcilePending } from "../src/channel/doc-model.js";
import { notebook } from "./fakes.js";

const ids = (m: DocModel) => m.view!.notebook.cells.map((c) => c.id);
const src = (m: DocModel, id: string) => joinSource(m.view!.notebook.cells.find((c) => c.id === id)!.source);
const code = (id: string, source = ""): Cell => ({ id, cell_type: "code", source, metadata: {}, execution_count: null, outputs: [] });

test("copy-on-write keeps the old state and the untouched cells", () => {
  const before: DocState = { notebook: notebook([{ id: "a" }, { id: "b" }]), run: {} };
  const after = applyOpsCow(before, [
    { op: "append_stream", id: "a", name: "stdout", text: "one\n" },
    { op: "append_stream", id: "a", name: "stdout", text: "two\n" },
  ]);
  const a0 = before.notebook.cells[0] as Extract<Cell, { cell_type: "code" }>;
  const a1 = after.notebook.cells[0] as Extract<Cell, { cell_type: "code" }>;
  assert.equal(a0.outputs.length, 0, "old state untouched");
  assert.equal(joinSource((a1.outputs[0] as { text: string }).text), "one\ntwo\n");
  assert.notEqual(a0, a1);
  assert.equal(before.notebook.cells[1], after.notebook.cells[1], "untouched cell keeps its identity");

  const later = applyOpsCow(after, [{ op: "append_stream", id: "a", name: "stdout", text: "three\n" }]);
  assert.equal(joinSource((a1.outputs[0] as { text: string }).text), "one\ntwo\n", "stream output copied before append");
  assert.equal(joinSource(((later.notebook.cells[0] as any).outputs[0] as { text: string }).text), "one\ntwo\nthree\n");
});

test("server ops apply in version order; gaps and stale versions are detected", () => {
  const m = new DocModel();
  m.loadSnapshot(notebook([{ id: "a" }]), {}, 5, false);
  assert.equal(m.applyRemote({ version: 6, ops: [{ op: "set_source", id: "a", source: "x" }] }, "me"), "ok");
  assert.equal(m.applyRemote({ version: 6, ops: [{ op: "set_source", id: "a", source: "y" }] }, "me"), "stale");
  assert.equal(src(m, "a"), "x");
  assert.equal(m.applyRemote({ version: 9, ops: [{ op: "set_source", id: "a", source: "z" }] }, "me"), "resync");
  assert.equal(m.applyRemote({ version: 7, ops: [{ op: "delete_cell", id: "nope" }] }, "me"), "resync");
  assert.equal(m.version, 6);
  // Two ops in one message cover versions 7..8.
  assert.equal(
    m.applyRemote(
      {
        version: 8,
        ops: [
          { op: "insert_cell", index: 1, cell: code("b") },
          { op: "set_source", id: "b", source: "q" },
        ],
      },
      "me",
    ),
    "ok",
  );
  assert.deepEqual(ids(m), ["a", "b"]);
});

test("local edits show at once and are confirmed by their echo", () => {
  const m = new DocModel();
  m.loadSnapshot(notebook([{ id: "a" }]), {}, 1, false);
  const batch = m.addLocal([{ op: "insert_cell", index: 1, cell: code("b") }], "r1");
  batch.sent = true;
  assert.deepEqual(ids(m), ["a", "b"]);
  assert.deepEqual(
    m.confirmed!.notebook.cells.map((c) => c.id),
    ["a"],
  );
  m.applyRemote({ version: 2, ops: [{ op: "insert_cell", index: 1, cell: code("b") }], origin: "me", requestId: "r1" }, "me");
  assert.equal(m.pending.length, 0);
  assert.equal(m.view, m.confirmed, "nothing pending: the view is the server's document");
  assert.deepEqual(ids(m), ["a", "b"]);
});

test("a remote op landing before our echo is ordered as the server ordered it", () => {
  const m = new DocModel();
  m.loadSnapshot(notebook([{ id: "a" }]), {}, 1, false);
  m.addLocal([{ op: "insert_cell", index: 0, cell: code("mine") }], "r1").sent = true;
  assert.deepEqual(ids(m), ["mine", "a"]);
  // Another page inserted at 0 first; the server applies ours after it.
  m.applyRemote({ version: 2, ops: [{ op: "insert_cell", index: 0, cell: code("theirs") }], origin: "other" }, "me");
  assert.deepEqual(ids(m), ["mine", "theirs", "a"], "optimistic view replays our edit on top");
  m.applyRemote({ version: 3, ops: [{ op: "insert_cell", index: 0, cell: code("mine") }], origin: "me", requestId: "r1" }, "me");
  assert.deepEqual(ids(m), ["mine", "theirs", "a"]);
  assert.deepEqual(
    m.confirmed!.notebook.cells.map((c) => c.id),
    ["mine", "theirs", "a"],
  );
});

test("a refused edit rolls back", () => {
  const m = new DocModel();
  m.loadSnapshot(notebook([{ id: "a", source: "old" }]), {}, 1, false);
  m.addLocal([{ op: "set_source", id: "a", source: "new" }], "r1");
  assert.equal(src(m, "a"), "new");
  assert.equal(m.reject("r1"), true);
  assert.equal(src(m, "a"), "old");
});

test("shared text lands in the source at once, under local edits still pending", () => {
  const m = new DocModel();
  m.loadSnapshot(notebook([{ id: "a", source: "1" }, { id: "b" }]), {}, 1, false);
  m.addLocal([{ op: "delete_cell", id: "b" }], "r1");
  const before = m.confirmed;
  m.setSourceFromText("a", "typed");
  assert.equal(src(m, "a"), "typed");
  assert.notEqual(m.confirmed, before, "copy on write: the old state is untouched");
  assert.equal(joinSource(before!.notebook.cells[0].source), "1");
  assert.equal(m.view!.notebook.cells.length, 1, "the pending delete still shows");
  m.setSourceFromText("gone", "x");
  assert.equal(m.view!.notebook.cells.length, 1);
});

test("after a reconnect, edits the snapshot already holds are not sent again", () => {
  const snap: DocState = { notebook: notebook([{ id: "a", source: "same" }, { id: "b" }]), run: {} };
  const out = reconcilePending(snap, [
    { requestId: "1", sent: true, ops: [{ op: "insert_cell", index: 0, cell: code("b") }] },
    { requestId: "2", sent: true, ops: [{ op: "set_source", id: "a", source: "same" }] },
    {
      requestId: "3",
      sent: true,
      ops: [
        { op: "insert_cell", index: 2, cell: code("c") },
        { op: "set_source", id: "c", source: "hi" },
      ],
    },
    {
      requestId: "4",
      sent: false,
      ops: [
        { op: "delete_cell", id: "gone" },
        { op: "set_source", id: "a", source: "changed" },
      ],
    },
  ]);
  assert.deepEqual(
    out.map((b) => [b.requestId, b.sent, b.ops.map((o) => o.op)]),
    [
      ["3", false, ["insert_cell", "set_source"]],
      ["4", false, ["set_source"]],
    ],
  );
});
