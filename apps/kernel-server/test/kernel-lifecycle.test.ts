import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { openSocket, request, waitFor, type RecordingSocket } from "./helpers/raw-socket.js";
import { startTestServer, type TestServer } from "./helpers/test-server.js";
import { V1_PROTOCOL, decodeV1, encodeV1 } from "../src/kernels/wire.js";

async function startKernel(t: TestServer): Promise<string> {
  const res = await t.api("/api/kernels", { method: "POST", body: JSON.stringify({ name: "typescript" }) });
  assert.equal(res.status, 201);
  return ((await res.json()) as { id: string }).id;
}

function channels(t: TestServer, id: string, session: string): Promise<RecordingSocket> {
  return openSocket(`${t.ws}api/kernels/${id}/channels?token=${t.token}&session_id=${session}`);
}

describe("kernel lifecycle", () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => t?.close());

  it("reports a crashed kernel dead with its reason, and restart brings it back", async () => {
    const id = await startKernel(t);
    const ws = await channels(t, id, "crash");
    const dead = waitFor(ws, (m: any) => m.header.msg_type === "status" && m.content.execution_state === "dead");
    ws.send(request("execute_request", { code: "process.abort()" }, "shell", "crash").frame);
    await dead;
    const model = (await (await t.api(`/api/kernels/${id}`)).json()) as any;
    assert.equal(model.execution_state, "dead");
    assert.match(model.reason, /SIGABRT|abort/);
    assert.equal((await t.api("/api/status")).status, 200);
    const restarted = await t.api(`/api/kernels/${id}/restart`, { method: "POST" });
    assert.equal(restarted.status, 200);
    const req = request("execute_request", { code: "6 * 7" }, "shell", "crash");
    const result = waitFor(ws, (m: any) => m.header.msg_type === "execute_result" && m.parent_header.msg_id === req.msgId);
    ws.send(req.frame);
    assert.equal(((await result) as any).content.data["text/plain"], "42");
    ws.close();
  });

  it("replays what a client missed when it reconnects with the same session_id", async () => {
    const id = await startKernel(t);
    const first = await channels(t, id, "tunnel");
    const req = request(
      "execute_request",
      { code: "for (let i = 0; i < 5; i++) { console.log('line ' + i); await new Promise((r) => setTimeout(r, 100)); }" },
      "shell",
      "tunnel",
    );
    const started = waitFor(first, (m: any) => m.header.msg_type === "stream");
    first.send(req.frame);
    await started;
    first.terminate(); // the tunnel drops mid-run
    await new Promise((r) => setTimeout(r, 800));
    const second = await channels(t, id, "tunnel");
    await waitFor(second, (m: any) => m.header.msg_type === "execute_reply" && m.parent_header.msg_id === req.msgId);
    const text = second.received
      .filter((m) => m.header.msg_type === "stream")
      .map((m) => m.content.text)
      .join("");
    // line 0 reached the first socket; the rest were replayed or arrived live, each once.
    for (let i = 1; i < 5; i++) assert.equal(text.split(`line ${i}\n`).length - 1, 1, `line ${i} in ${JSON.stringify(text)}`);
    second.close();
  });

  it("fans iopub out to every socket watching a kernel", async () => {
    const id = await startKernel(t);
    const a = await channels(t, id, "a");
    const b = await channels(t, id, "b");
    const req = request("execute_request", { code: "console.log('to everyone')" }, "shell", "a");
    const onB = waitFor(b, (m: any) => m.header.msg_type === "stream" && m.parent_header.msg_id === req.msgId);
    const replyA = waitFor(a, (m: any) => m.header.msg_type === "execute_reply");
    a.send(req.frame);
    assert.equal(((await onB) as any).content.text, "to everyone\n");
    await replyA;
    a.close();
    b.close();
  });

  it("speaks the v1.kernel.websocket.jupyter.org binary subprotocol", async () => {
    const id = await startKernel(t);
    const ws = await openSocket(`${t.ws}api/kernels/${id}/channels?token=${t.token}&session_id=v1`, {}, [V1_PROTOCOL]);
    assert.equal(ws.protocol, V1_PROTOCOL);
    const msg = JSON.parse(request("execute_request", { code: "'binary ok'" }, "shell", "v1").frame);
    const got = new Promise<any>((resolve) =>
      ws.on("message", (d: Buffer) => {
        const m = decodeV1(d);
        if (m.header.msg_type === "execute_result") resolve(m);
      }),
    );
    ws.send(encodeV1(msg));
    assert.equal((await got).content.data["text/plain"], "'binary ok'");
    ws.close();
  });

  it("survives an output flood and stays interruptible", async () => {
    const id = await startKernel(t);
    const ws = await channels(t, id, "flood");
    const req = request("execute_request", { code: "let i = 0; for (;;) console.log(i++);" }, "shell", "flood");
    const streaming = waitFor(ws, (m: any) => m.header.msg_type === "stream");
    ws.send(req.frame);
    await streaming;
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal((await t.api(`/api/kernels/${id}/interrupt`, { method: "POST" })).status, 204);
    const reply = await waitFor(ws, (m: any) => m.header.msg_type === "execute_reply" && m.parent_header.msg_id === req.msgId, 30000);
    assert.equal((reply as any).content.status, "error");
    const status = await t.api("/api/status");
    assert.equal(status.status, 200);
    ws.close();
  });

  it("shuts a kernel down and closes its sockets", async () => {
    const id = await startKernel(t);
    const ws = await channels(t, id, "bye");
    const closed = new Promise((r) => ws.once("close", r));
    assert.equal((await t.api(`/api/kernels/${id}`, { method: "DELETE" })).status, 204);
    await closed;
    assert.equal((await t.api(`/api/kernels/${id}`)).status, 404);
  });
});
