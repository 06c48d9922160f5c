/**
 * Big and fast output over `WS /api/kernels/{id}/channels`, as a Jupyter client reads it:
 * every byte arrives or a notice says how many did not, and what a cell printed last
 * arrives after the rest, before its idle status.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { openSocket, request, waitFor, type RecordingSocket } from "./helpers/raw-socket.js";
import { startTestServer, type TestServer } from "./helpers/test-server.js";

const NOTICE = /\[output truncated: ([\d,]+) bytes not shown/;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Seen {
  stdout: string;
  notices: number[];
  /** Message types for this request, in arrival order. */
  kinds: string[];
}

function seenFor(ws: RecordingSocket, msgId: string): Seen {
  const seen: Seen = { stdout: "", notices: [], kinds: [] };
  for (const m of ws.received) {
    if (m.parent_header?.msg_id !== msgId) continue;
    seen.kinds.push(m.header.msg_type === "status" ? `status:${m.content.execution_state}` : m.header.msg_type);
    if (m.header.msg_type !== "stream") continue;
    const notice = NOTICE.exec(m.content.text);
    if (notice) seen.notices.push(Number(notice[1].replace(/,/g, "")));
    else if (m.content.name === "stdout") seen.stdout += m.content.text;
  }
  return seen;
}

const idleOf = (msgId: string) => (m: any) =>
  m.header.msg_type === "status" && m.content.execution_state === "idle" && m.parent_header?.msg_id === msgId;

describe("output past what a WebSocket client takes at once", { timeout: 180_000 }, () => {
  let t: TestServer;
  let id: string;
  before(async () => {
    t = await startTestServer();
    id = ((await (await t.api("/api/kernels", { method: "POST", body: "{}" })).json()) as { id: string }).id;
  });
  after(async () => {
    await t?.close();
  });

  it("delivers a print past 16 MiB whole, and the line after it, before the idle", async () => {
    const ws = await openSocket(`${t.ws}api/kernels/${id}/channels?token=${t.token}&session_id=big`);
    try {
      const { msgId, frame } = request("execute_request", { code: "console.log('z'.repeat(17e6)); console.log('AFTER')", silent: false });
      ws.send(frame);
      await waitFor(ws, idleOf(msgId), 120_000);
      const seen = seenFor(ws, msgId);
      assert.deepEqual(seen.notices, [], "nothing was dropped");
      assert.equal(seen.stdout.length, 17e6 + 1 + "AFTER\n".length);
      assert.ok(seen.stdout.endsWith("z\nAFTER\n"), "AFTER arrived, last");
      assert.equal(seen.kinds.at(-1), "status:idle");
      assert.ok(seen.kinds.includes("execute_reply"));
    } finally {
      ws.close();
    }
  });

  it("replaces what a stalled client could not take with a notice of its size, and still sends the last line", async () => {
    const ws = await openSocket(`${t.ws}api/kernels/${id}/channels?token=${t.token}&session_id=stalled`);
    try {
      // The client stops reading; two cells print 15 MiB each, in 1 MiB lines.
      (ws as unknown as { _socket: { pause(): void } })._socket.pause();
      const code = 'for (let i = 0; i < 15; i++) console.log("x".repeat(1048568) + String(i).padStart(7, "-"));';
      const first = request("execute_request", { code, silent: false });
      const second = request("execute_request", { code: `${code}\nconsole.log('AFTER')`, silent: false });
      ws.send(first.frame);
      ws.send(second.frame);
      // Wait for the kernel to finish both (the REST status comes from the server, not the socket).
      for (let i = 0; i < 600; i++) {
        const state = ((await (await t.api(`/api/kernels/${id}`)).json()) as { execution_state: string }).execution_state;
        if (state === "idle" && i > 10) break;
        await sleep(100);
      }
      (ws as unknown as { _socket: { resume(): void } })._socket.resume();
      await waitFor(ws, idleOf(second.msgId), 120_000);
      const a = seenFor(ws, first.msgId);
      const b = seenFor(ws, second.msgId);
      const printed = 2 * 15 * 1024 * 1024 + "AFTER\n".length;
      const dropped = [...a.notices, ...b.notices].reduce((x, y) => x + y, 0);
      assert.ok(dropped > 0, "the stalled client lost something, and was told");
      assert.equal(a.stdout.length + b.stdout.length + dropped, printed, "every byte arrived or was counted in a notice");
      assert.ok(b.stdout.endsWith("-----14\nAFTER\n"), "the last lines arrived");
      assert.equal(b.kinds.at(-1), "status:idle", "in order, before the idle");
    } finally {
      ws.close();
    }
  });
});
