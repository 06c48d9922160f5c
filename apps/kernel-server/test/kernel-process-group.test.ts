/**
 * No process started by a kernel outlives its kernel, an interrupt reaches a cell blocked
 * in a child process, the memory guard counts what a kernel started, and a kernel killed
 * by SIGKILL is reported with who sent it. Real server, real kernels, real processes.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { openSocket, request, waitFor, type RecordingSocket } from "./helpers/raw-socket.js";
import { startTestServer, type TestServer } from "./helpers/test-server.js";

const CLI = resolve(fileURLToPath(import.meta.url), "../../dist/cli.js");

/** True while the process exists and is not a zombie (a PID 1 that does not reap keeps those). */
async function alive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => null);
  return stat !== null && stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
}

/** Waits until `pid` is gone, at most `ms`; true when it is. */
async function gone(pid: number, ms = 15_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (await alive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

/** The descendants of `pid` named `name` (from /proc children links and comm). */
async function descendantsNamed(pid: number, name: string): Promise<number[]> {
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const p = queue.shift()!;
    for (const t of await readdir(`/proc/${p}/task`).catch(() => [] as string[])) {
      const kids = (await readFile(`/proc/${p}/task/${t}/children`, "utf8").catch(() => "")).split(/\s+/).filter(Boolean).map(Number);
      for (const c of kids) {
        queue.push(c);
        if ((await readFile(`/proc/${c}/comm`, "utf8").catch(() => "")).trim() === name) found.push(c);
      }
    }
  }
  return found;
}

/** The live members of process group `pgid` named `name`. */
async function groupMembersNamed(pgid: number, name: string): Promise<number[]> {
  const found: number[] = [];
  for (const e of await readdir("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    const stat = await readFile(`/proc/${e}/stat`, "utf8").catch(() => "");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (fields[0] !== "Z" && Number(fields[2]) === pgid && stat.includes(`(${name})`)) found.push(Number(e));
  }
  return found;
}

async function waitFound(find: () => Promise<number[]>, what: string): Promise<number> {
  for (let i = 0; i < 400; i++) {
    const [found] = await find();
    if (found) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`not found: ${what}`);
}

function waitForDescendant(pid: number, name: string): Promise<number> {
  return waitFound(() => descendantsNamed(pid, name), `${name} under ${pid}`);
}

async function startKernel(t: TestServer): Promise<string> {
  const res = await t.api("/api/kernels", { method: "POST", body: JSON.stringify({ name: "typescript" }) });
  assert.equal(res.status, 201, await res.clone().text());
  return ((await res.json()) as { id: string }).id;
}

function channels(t: TestServer, id: string, session: string): Promise<RecordingSocket> {
  return openSocket(`${t.ws}api/kernels/${id}/channels?token=${t.token}&session_id=${session}`);
}

function kernelPid(t: TestServer, id: string): number {
  const pid = t.server.workspaces.kernels().find((k) => k.id === id)?.pid;
  assert.ok(pid, "the kernel has a process");
  return pid;
}

/** Runs `code`; resolves with the reply and the text/plain of its result. */
async function run(ws: RecordingSocket, code: string, timeoutMs = 20_000): Promise<{ reply: any; result: string | undefined }> {
  const req = request("execute_request", { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false });
  ws.send(req.frame);
  const reply = await waitFor(ws, (m) => m.header?.msg_type === "execute_reply" && m.parent_header?.msg_id === req.msgId, timeoutMs);
  const result = ws.received.find((m) => m.header?.msg_type === "execute_result" && m.parent_header?.msg_id === req.msgId);
  return { reply, result: result?.content.data["text/plain"] };
}

/**
 * Starts `sleep 300` in the background from a cell, the way a shell leaves a job behind: its
 * shell exits, so it is reparented away from the kernel but stays in the kernel's group.
 */
async function leaveSleepBehind(ws: RecordingSocket): Promise<number> {
  const { reply, result } = await run(
    ws,
    `const { spawn } = require("node:child_process");
const sh = spawn("sh", ["-c", "sleep 300 </dev/null >/dev/null 2>&1 & echo $!"]);
let out = "";
sh.stdout.on("data", (d) => (out += d));
await new Promise((r) => sh.on("close", r));
Number(out.trim())`,
  );
  assert.equal(reply.content.status, "ok", JSON.stringify(reply.content));
  const pid = Number(result);
  assert.ok(pid > 0 && (await alive(pid)), `sleep runs (${result})`);
  return pid;
}

/** Waits for `status: dead` among the messages from index `from` on. */
async function waitDead(ws: RecordingSocket, from = ws.received.length): Promise<void> {
  await waitFor(
    ws,
    (m) => m.header?.msg_type === "status" && m.content.execution_state === "dead" && ws.received.indexOf(m) >= from,
    30_000,
  );
}

async function reasonOf(t: TestServer, id: string): Promise<string> {
  return ((await (await t.api(`/api/kernels/${id}`)).json()) as { reason?: string }).reason ?? "";
}

describe("kernel processes and what they start", { timeout: 300_000 }, () => {
  let t: TestServer;
  before(async () => {
    // A memory limit, so the guard runs (its timer as well as the test's own passes).
    t = await startTestServer({ config: { kernelMemory: 400 * 2 ** 20 }, app: { limits: { memoryCheckMs: 200, cullCheckMs: 3_600_000 } } });
  });
  after(async () => t?.close());

  it("an interrupt ends a cell blocked in execSync('sleep 100'): the cell ends Interrupted, sleep is gone, the kernel runs on", async () => {
    const id = await startKernel(t);
    const ws = await channels(t, id, "exec");
    await run(ws, "const { execSync } = require('node:child_process'); let after = 'state kept';");
    const req = request("execute_request", { code: "execSync('sleep 100'); 'not reached'" });
    const replied = waitFor(ws, (m) => m.header?.msg_type === "execute_reply" && m.parent_header?.msg_id === req.msgId, 30_000);
    ws.send(req.frame);
    const sleep = await waitForDescendant(kernelPid(t, id), "sleep");
    // As JupyterLab does: POST /api/kernels/{id}/interrupt.
    assert.equal((await t.api(`/api/kernels/${id}/interrupt`, { method: "POST" })).status, 204);
    const reply = await replied;
    assert.equal(reply.content.status, "error");
    assert.equal(reply.content.ename, "Interrupted");
    assert.ok(await gone(sleep), "the sleep was ended");
    assert.equal((await run(ws, "after")).result, "'state kept'");
    ws.close();
    assert.equal((await t.api(`/api/kernels/${id}`, { method: "DELETE" })).status, 204);
  });

  it("escalates past a child that ignores SIGINT (an interrupt_request on the control channel)", async () => {
    const id = await startKernel(t);
    const ws = await channels(t, id, "trap");
    const req = request("execute_request", { code: `require('node:child_process').execSync("trap '' INT; sleep 100; echo done")` });
    const replied = waitFor(ws, (m) => m.header?.msg_type === "execute_reply" && m.parent_header?.msg_id === req.msgId, 30_000);
    ws.send(req.frame);
    const sleep = await waitForDescendant(kernelPid(t, id), "sleep");
    ws.send(request("interrupt_request", {}, "control").frame);
    const reply = await replied;
    assert.equal(reply.content.ename, "Interrupted");
    assert.ok(await gone(sleep));
    assert.equal((await run(ws, "1 + 1")).result, "2");
    ws.close();
    assert.equal((await t.api(`/api/kernels/${id}`, { method: "DELETE" })).status, 204);
  });

  it("an interrupt reaches a background process that keeps execSync waiting (its output pipe), found by the kernel's process group", async () => {
    const id = await startKernel(t);
    const ws = await channels(t, id, "exec-bg");
    const req = request("execute_request", { code: "require('node:child_process').execSync('sleep 100 & echo started')" });
    const replied = waitFor(ws, (m) => m.header?.msg_type === "execute_reply" && m.parent_header?.msg_id === req.msgId, 30_000);
    ws.send(req.frame);
    const pid = kernelPid(t, id);
    // Its shell has exited: the sleep is no descendant of the kernel, only a member of its group.
    const sleep = await waitFound(
      async () => ((await descendantsNamed(pid, "sh")).length === 0 ? groupMembersNamed(pid, "sleep") : []),
      "the orphaned sleep",
    );
    assert.deepEqual(await descendantsNamed(pid, "sleep"), []);
    assert.equal((await t.api(`/api/kernels/${id}/interrupt`, { method: "POST" })).status, 204);
    const reply = await replied;
    assert.equal(reply.content.ename, "Interrupted");
    assert.ok(await gone(sleep));
    ws.close();
    assert.equal((await t.api(`/api/kernels/${id}`, { method: "DELETE" })).status, 204);
  });

  it("DELETE /api/kernels/{id} ends what the kernel left running in the background", async () => {
    const id = await startKernel(t);
    const ws = await channels(t, id, "delete");
    const sleep = await leaveSleepBehind(ws);
    ws.close();
    assert.equal((await t.api(`/api/kernels/${id}`, { method: "DELETE" })).status, 204);
    assert.ok(await gone(sleep), "the background sleep ended with its kernel");
  });

  it("a restart ends what the old kernel left running; the new one runs cells", async () => {
    const id = await startKernel(t);
    const ws = await channels(t, id, "restart");
    const sleep = await leaveSleepBehind(ws);
    assert.equal((await t.api(`/api/kernels/${id}/restart`, { method: "POST" })).status, 200);
    assert.ok(await gone(sleep));
    assert.equal((await run(ws, "6 * 7")).result, "42");
    ws.close();
    assert.equal((await t.api(`/api/kernels/${id}`, { method: "DELETE" })).status, 204);
  });

  it("a restart of a kernel blocked in execSync ends the kernel and its children", async () => {
    const id = await startKernel(t);
    const ws = await channels(t, id, "restart-blocked");
    ws.send(request("execute_request", { code: "require('node:child_process').execSync('sleep 100')" }).frame);
    const sleep = await waitForDescendant(kernelPid(t, id), "sleep");
    assert.equal((await t.api(`/api/kernels/${id}/restart`, { method: "POST" })).status, 200);
    assert.ok(await gone(sleep));
    assert.equal((await run(ws, "'fresh'")).result, "'fresh'");
    ws.close();
    assert.equal((await t.api(`/api/kernels/${id}`, { method: "DELETE" })).status, 204);
  });

  it("a cell that SIGKILLs its own kernel is named as the reason, and what the kernel started goes with it", async () => {
    const id = await startKernel(t);
    const ws = await channels(t, id, "self-kill");
    const sleep = await leaveSleepBehind(ws);
    const dead = waitDead(ws);
    ws.send(request("execute_request", { code: "process.kill(process.pid, 'SIGKILL')" }).frame);
    await dead;
    assert.match(await reasonOf(t, id), /^killed by SIGKILL: the cell sent SIGKILL to the kernel/);
    assert.ok(await gone(sleep));
    // A signal number works the same.
    assert.equal((await t.api(`/api/kernels/${id}/restart`, { method: "POST" })).status, 200);
    const again = waitDead(ws);
    ws.send(request("execute_request", { code: "process.kill(process.pid, 9)" }).frame);
    await again;
    assert.match(await reasonOf(t, id), /^killed by SIGKILL: the cell sent SIGKILL to the kernel/);
    ws.close();
    assert.equal((await t.api(`/api/kernels/${id}`, { method: "DELETE" })).status, 204);
  });

  it("a SIGKILL from another process is not blamed on the cell nor on Tessera", async () => {
    const id = await startKernel(t);
    const ws = await channels(t, id, "outside-kill");
    await run(ws, "1");
    const dead = waitDead(ws);
    process.kill(kernelPid(t, id), "SIGKILL");
    await dead;
    const reason = await reasonOf(t, id);
    assert.match(reason, /^killed by SIGKILL: /);
    assert.doesNotMatch(reason, /the cell sent|sent by Tessera/);
    // This machine's OOM-kill counters are readable (cgroup or /proc/vmstat): no OOM, so it says so.
    if (/^oom_kill \d+$/m.test(await readFile("/proc/vmstat", "utf8").catch(() => ""))) {
      assert.match(reason, /sent by the kernel's own code or another process; not by Tessera/);
    }
    ws.close();
    assert.equal((await t.api(`/api/kernels/${id}`, { method: "DELETE" })).status, 204);
  });

  it("the memory guard counts a grandchild reparented away from the kernel, and stops the whole group", async () => {
    const id = await startKernel(t);
    const ws = await channels(t, id, "guard");
    // The grandchild holds 450 MiB; its shell exits at once, so it is no descendant of the kernel.
    const hog = `'${process.execPath}' -e 'const b = Buffer.alloc(450 * 2 ** 20, 1); setInterval(() => b[0]++, 1000)'`;
    const { reply, result } = await run(
      ws,
      `const { spawn } = require("node:child_process");
const sh = spawn("sh", ["-c", ${JSON.stringify(`${hog} </dev/null >/dev/null 2>&1 & echo $!`)}]);
let out = "";
sh.stdout.on("data", (d) => (out += d));
await new Promise((r) => sh.on("close", r));
Number(out.trim())`,
    );
    assert.equal(reply.content.status, "ok", JSON.stringify(reply.content));
    const grandchild = Number(result);
    assert.ok(grandchild > 0);
    assert.deepEqual(await descendantsNamed(kernelPid(t, id), "node"), [], "the grandchild is not under the kernel any more");
    await waitDead(ws);
    assert.match(await reasonOf(t, id), /stopped: it used [\d.]+ MiB of memory, over its limit of 400 MiB/);
    assert.ok(await gone(grandchild), "the grandchild was stopped with its kernel");
    ws.close();
    assert.equal((await t.api(`/api/kernels/${id}`, { method: "DELETE" })).status, 204);
  });
});

describe("server exit ends every kernel's processes", { timeout: 120_000 }, () => {
  it("closing the server (its SIGINT/SIGTERM path) ends what kernels left in the background", async () => {
    const t = await startTestServer();
    let sleep = 0;
    try {
      const id = await startKernel(t);
      const ws = await channels(t, id, "close");
      sleep = await leaveSleepBehind(ws);
      ws.close();
    } finally {
      await t.close();
    }
    assert.ok(await gone(sleep));
  });

  /** `tessera` as a process of its own, a kernel in it, and a sleep that kernel left behind. */
  async function cliWithLeftover(): Promise<{ child: ReturnType<typeof spawn>; sleep: number; cleanup: () => Promise<void> }> {
    const root = await mkdtemp(join(tmpdir(), "tessera-pg-"));
    const child = spawn(process.execPath, [CLI, "--port", "0", "--root", root, "--token", "pg-token", "--quiet"], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, TESSERA_CONFIG_DIR: join(root, ".no-config") },
    });
    let out = "";
    const url = await new Promise<string>((res, rej) => {
      child.stdout!.on("data", (d) => {
        out += d;
        const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(out);
        if (m) res(m[0]);
      });
      child.once("exit", () => rej(new Error(`server exited: ${out}`)));
    });
    const t = {
      ws: url.replace(/^http/, "ws"),
      token: "pg-token",
      api: (path: string, init: RequestInit = {}) =>
        fetch(new URL(path.replace(/^\//, ""), url), {
          ...init,
          headers: { authorization: "token pg-token", "content-type": "application/json" },
        }),
    } as unknown as TestServer;
    const id = await startKernel(t);
    const ws = await channels(t, id, "cli");
    const sleep = await leaveSleepBehind(ws);
    ws.close();
    return {
      child,
      sleep,
      cleanup: async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
        await rm(root, { recursive: true, force: true });
      },
    };
  }

  it("SIGTERM to the server process", async () => {
    const { child, sleep, cleanup } = await cliWithLeftover();
    try {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
      assert.ok(await gone(sleep));
    } finally {
      await cleanup();
    }
  });

  it("SIGKILL to the server process (no hook runs: each kernel ends its own group)", async () => {
    const { child, sleep, cleanup } = await cliWithLeftover();
    try {
      child.kill("SIGKILL");
      assert.ok(await gone(sleep));
    } finally {
      await cleanup();
    }
  });
});
