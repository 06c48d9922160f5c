import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { KernelModel, MeModel } from "@tessera/protocol";
import { request, waitFor, type RecordingSocket } from "./helpers/raw-socket.js";
import { startWorkshopServer, type Login, type WorkshopServer } from "./helpers/workshop-server.js";

const USERS = `defaults:
  kernels: 2
  memory: 600MiB
  idleTimeout: 1h
  cpuThreads: 1
  gpuMemory: 25%
gpus: [0, 1]
users:
  - { name: teacher, role: teacher, password: {{hash}} }
  - { name: alice, password: {{hash}} }
  - { name: bob, password: {{hash}} }
  - { name: carol, password: {{hash}}, limits: { gpus: [3], kernels: 1 } }
`;

async function startKernel(user: Login): Promise<KernelModel> {
  const res = await user.api("api/kernels", { method: "POST", body: JSON.stringify({ name: "typescript" }) });
  assert.equal(res.status, 201, await res.clone().text());
  return (await res.json()) as KernelModel;
}

/** Runs `code` and returns the reply and every iopub message for it. */
async function run(ws: RecordingSocket, code: string, timeoutMs = 60_000): Promise<{ reply: any; outputs: any[] }> {
  const req = request("execute_request", { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false });
  ws.send(req.frame);
  const reply = await waitFor(ws, (m) => m.header?.msg_type === "execute_reply" && m.parent_header?.msg_id === req.msgId, timeoutMs);
  return { reply, outputs: ws.received.filter((m) => m.parent_header?.msg_id === req.msgId && m.channel === "iopub") };
}

describe("workshop limits", () => {
  let w: WorkshopServer;
  let alice: Login;

  before(async () => {
    // The guard and the culler are driven by the test (checkMemory/cullIdle) as well as their timers.
    w = await startWorkshopServer(USERS, { app: { limits: { memoryCheckMs: 200, cullCheckMs: 3_600_000 } } });
    alice = await w.login("alice");
  });
  after(async () => w.close());

  it("a student's page learns their limits from /api/tessera/me", async () => {
    const me = (await (await alice.api("api/tessera/me")).json()) as MeModel;
    assert.equal(me.name, "alice");
    assert.equal(me.role, "student");
    assert.equal(me.multiUser, true);
    assert.deepEqual(me.limits, {
      maxKernels: 2,
      memoryBytes: 600 * 2 ** 20,
      idleTimeoutMs: 3_600_000,
      cpuThreads: 1,
      gpus: [0],
      gpuMemoryFraction: 0.25,
    });
    const carol = (await (await (await w.login("carol")).api("api/tessera/me")).json()) as MeModel;
    assert.deepEqual(carol.limits.gpus, [3]);
    assert.equal(carol.limits.maxKernels, 1);
    const bob = (await (await (await w.login("bob")).api("api/tessera/me")).json()) as MeModel;
    assert.deepEqual(bob.limits.gpus, [1], "round-robin: the second student gets the second GPU");
    const teacher = (await (await (await w.login("teacher")).api("api/tessera/me")).json()) as MeModel;
    assert.deepEqual(teacher.limits, {
      maxKernels: null,
      memoryBytes: null,
      idleTimeoutMs: null,
      cpuThreads: null,
      gpus: null,
      gpuMemoryFraction: null,
    });
  });

  it("kernels see their GPUs, their share of GPU memory and their thread limit; numThreads cannot go past it", async () => {
    const k = await startKernel(alice);
    const ws = await alice.socket(`api/kernels/${k.id}/channels?session_id=env`);
    const { outputs } = await run(
      ws,
      `const tt = await import("@tessera/tensor"); console.log(process.env.CUDA_VISIBLE_DEVICES, process.env.TESSERA_CUDA_MEMORY_FRACTION, tt.numThreads(), tt.numThreads(8))`,
    );
    ws.close();
    const text = outputs
      .filter((m) => m.header.msg_type === "stream")
      .map((m) => m.content.text)
      .join("");
    assert.equal(text.trim(), "0 0.25 1 1");
    assert.equal((await alice.api(`api/kernels/${k.id}`, { method: "DELETE" })).status, 204);
  });

  it("refuses a kernel past the limit with a message that says what to do; the others go on", async () => {
    const a = await startKernel(alice);
    const b = await startKernel(alice);
    const res = await alice.api("api/kernels", { method: "POST", body: JSON.stringify({ name: "typescript" }) });
    assert.equal(res.status, 403);
    assert.match(
      ((await res.json()) as { message: string }).message,
      /Kernel limit reached: you have 2 kernels running and your limit is 2\. Shut one down/,
    );
    // Through a session too (what the notebook page does).
    const s = await alice.api("api/sessions", {
      method: "POST",
      body: JSON.stringify({ path: "new.ipynb", type: "notebook", kernel: { name: "typescript" } }),
    });
    assert.equal(s.status, 403);
    // Another student is not affected by alice's count.
    const bob = await w.login("bob");
    const bk = await startKernel(bob);
    for (const [u, id] of [
      [alice, a.id],
      [alice, b.id],
      [bob, bk.id],
    ] as const)
      assert.equal((await u.api(`api/kernels/${id}`, { method: "DELETE" })).status, 204);
  });

  it("a tensor allocation past the memory limit is a catchable error in the cell; the kernel lives", async () => {
    const k = await startKernel(alice);
    const ws = await alice.socket(`api/kernels/${k.id}/channels?session_id=mem1`);
    const { reply } = await run(
      ws,
      `const tt = await import("@tessera/tensor"); const keep = []; for (let i = 0; i < 100; i++) keep.push(tt.zeros([64, 1024, 1024]));`,
    );
    assert.equal(reply.content.status, "error");
    // Tensors may take the limit less room for the process itself (200 MiB).
    assert.match(
      reply.content.evalue,
      /out of memory: this tensor needs 256\.0 MiB and this kernel's tensors already hold 256\.0 MiB; the memory limit per kernel is 400\.0 MiB/,
    );
    const after = await run(ws, "keep.length");
    assert.equal(after.reply.content.status, "ok");
    const result = after.outputs.find((m) => m.header.msg_type === "execute_result");
    assert.equal(result.content.data["text/plain"], "1");
    ws.close();
    assert.equal((await alice.api(`api/kernels/${k.id}`, { method: "DELETE" })).status, 204);
  });

  it("a kernel whose memory grows past the limit is stopped with a clear message; the server and other kernels stay up", async () => {
    const bob = await w.login("bob");
    const other = await startKernel(bob);
    const k = await startKernel(alice);
    const ws = await alice.socket(`api/kernels/${k.id}/channels?session_id=mem2`);
    // Plain JavaScript memory (not tensors): only the server's guard sees it.
    const { reply } = await run(
      ws,
      `const hog = []; while (true) { hog.push(Buffer.alloc(16 * 2 ** 20, 1)); await new Promise((r) => setTimeout(r, 5)); }`,
      120_000,
    );
    assert.equal(reply.content.status, "error");
    assert.equal(reply.content.ename, "KernelStopped");
    assert.match(reply.content.evalue, /stopped: it used [\d.]+ MiB of memory, over its limit of 600 MiB/);
    ws.close();
    const model = (await (await alice.api(`api/kernels/${k.id}`)).json()) as KernelModel;
    assert.equal(model.execution_state, "dead");
    assert.match(model.reason ?? "", /over its limit of 600 MiB/);
    const me = (await (await alice.api("api/tessera/me")).json()) as MeModel;
    assert.match(me.kernels.find((x) => x.kernelId === k.id)!.reason ?? "", /over its limit/);
    // Bob's kernel still runs cells.
    const bws = await bob.socket(`api/kernels/${other.id}/channels?session_id=bob`);
    const ok = await run(bws, "40 + 2");
    assert.equal(ok.outputs.find((m) => m.header.msg_type === "execute_result").content.data["text/plain"], "42");
    bws.close();
    // A restart brings alice's kernel back.
    assert.equal((await alice.api(`api/kernels/${k.id}/restart`, { method: "POST" })).status, 200);
    for (const [u, id] of [
      [alice, k.id],
      [bob, other.id],
    ] as const)
      assert.equal((await u.api(`api/kernels/${id}`, { method: "DELETE" })).status, 204);
  });

  it("shuts down kernels idle past the timeout, never one running a cell", async () => {
    const idle = await startKernel(alice);
    const busy = await startKernel(alice);
    const ws = await alice.socket(`api/kernels/${busy.id}/channels?session_id=busy`);
    const req = request("execute_request", {
      code: "await new Promise((r) => setTimeout(r, 3000)); 1",
      silent: false,
      store_history: true,
      user_expressions: {},
      allow_stdin: false,
    });
    ws.send(req.frame);
    await waitFor(
      ws,
      (m) => m.header?.msg_type === "status" && m.content.execution_state === "busy" && m.parent_header?.msg_id === req.msgId,
    );
    // Two hours from now, both would be past the 1 h timeout; only the idle one goes.
    const culled = await w.server.workspaces.cullIdle(Date.now() + 2 * 3_600_000);
    assert.deepEqual(
      culled,
      [idle.id],
      JSON.stringify({ culled, idle: idle.id, busy: busy.id, all: w.server.workspaces.kernels().map((k) => [k.id, k.executionState]) }),
    );
    assert.equal((await alice.api(`api/kernels/${idle.id}`)).status, 404);
    assert.equal((await alice.api(`api/kernels/${busy.id}`)).status, 200);
    // Not yet due: nothing goes.
    assert.deepEqual(await w.server.workspaces.cullIdle(Date.now() + 60_000), []);
    await waitFor(ws, (m) => m.header?.msg_type === "execute_reply" && m.parent_header?.msg_id === req.msgId);
    ws.close();
    assert.equal((await alice.api(`api/kernels/${busy.id}`, { method: "DELETE" })).status, 204);
  });
});
