/**
 * Kernel latency: the same cells against Tessera's server and against Jupyter's
 * ipykernel (Debian's jupyter-notebook + python3-ipykernel), in one run.
 *
 *   node --import tsx bench/kernel-latency.ts [--runs 300] [--lines 100000]
 *
 * Prints kernel start time, the median and p99 round trip of a trivial cell (back to
 * back), and the time and bytes on the wire for a cell printing N lines.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import WebSocket from "ws";

const args = parseArgs({
  options: {
    runs: { type: "string", default: "300" },
    lines: { type: "string", default: "100000" },
    starts: { type: "string", default: "5" },
  },
}).values;
const RUNS = Number(args.runs);
const LINES = Number(args.lines);
const STARTS = Number(args.starts);
const here = resolve(fileURLToPath(import.meta.url), "..");

interface Peer {
  name: string;
  kernel: string;
  trivial: string;
  flood: string;
  start(port: number, token: string, root: string): ChildProcess;
}

const peers: Peer[] = [
  {
    name: "Tessera (TypeScript)",
    kernel: "typescript",
    trivial: "1+1",
    flood: `for (let i = 0; i < ${LINES}; i++) console.log(i)`,
    start: (port, token, root) =>
      spawn(
        process.execPath,
        [join(here, "..", "apps", "kernel-server", "dist", "cli.js"), "--port", String(port), "--token", token, "--root", root, "--quiet"],
        { stdio: "ignore" },
      ),
  },
  {
    name: "Jupyter (ipykernel)",
    kernel: "python3",
    trivial: "1+1",
    flood: `for i in range(${LINES}): print(i)`,
    start: (port, token, root) =>
      spawn(
        "/usr/bin/python3",
        [
          "-m",
          "notebook",
          "--no-browser",
          `--port=${port}`,
          `--NotebookApp.token=${token}`,
          `--notebook-dir=${root}`,
          "--NotebookApp.open_browser=False",
          "--allow-root",
        ],
        {
          stdio: "ignore",
          env: { ...process.env, JUPYTER_RUNTIME_DIR: join(root, ".runtime") },
        },
      ),
  },
];

function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitUp(base: string, token: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      const r = await fetch(`${base}api/status`, { headers: { authorization: `token ${token}` } });
      if (r.ok) return;
    } catch {}
    await sleep(100);
  }
  throw new Error(`server at ${base} did not come up`);
}

let n = 0;
function frame(type: string, content: object, channel = "shell") {
  const id = `bench-${n++}`;
  return {
    id,
    text: JSON.stringify({
      header: { msg_id: id, msg_type: type, session: "bench", username: "bench", date: new Date().toISOString(), version: "5.3" },
      parent_header: {},
      metadata: {},
      content,
      channel,
      buffers: [],
    }),
  };
}

class Channel {
  bytes = 0;
  private handlers = new Set<(m: any) => void>();
  constructor(readonly ws: WebSocket) {
    ws.on("message", (d: Buffer) => {
      this.bytes += d.length;
      const m = JSON.parse(d.toString());
      for (const h of this.handlers) h(m);
    });
  }
  static open(url: string): Promise<Channel> {
    return new Promise((res, rej) => {
      const ws = new WebSocket(url);
      ws.once("open", () => res(new Channel(ws)));
      ws.once("error", rej);
    });
  }
  /** Sends a request; resolves when its reply and the idle status after it have both arrived. */
  call(type: string, content: object): Promise<void> {
    const f = frame(type, content);
    return new Promise((res) => {
      let reply = false;
      let idle = false;
      const h = (m: any) => {
        if (m.parent_header?.msg_id !== f.id) return;
        if (m.header.msg_type.endsWith("_reply")) reply = true;
        if (m.header.msg_type === "status" && m.content.execution_state === "idle") idle = true;
        if (reply && idle) {
          this.handlers.delete(h);
          res();
        }
      };
      this.handlers.add(h);
      this.ws.send(f.text);
    });
  }
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function measure(peer: Peer) {
  const root = mkdtempSync(join(tmpdir(), "bench-kernel-"));
  const port = await freePort();
  const token = "bench" + Math.random().toString(16).slice(2);
  const proc = peer.start(port, token, root);
  const base = `http://127.0.0.1:${port}/`;
  const headers = { authorization: `token ${token}`, "content-type": "application/json" };
  try {
    await waitUp(base, token);
    const starts: number[] = [];
    let kernelId = "";
    for (let i = 0; i < STARTS; i++) {
      const t0 = performance.now();
      const r = await fetch(`${base}api/kernels`, { method: "POST", headers, body: JSON.stringify({ name: peer.kernel }) });
      const id = ((await r.json()) as { id: string }).id;
      const ch = await Channel.open(`ws://127.0.0.1:${port}/api/kernels/${id}/channels?token=${token}&session_id=bench`);
      await ch.call("kernel_info_request", {});
      starts.push(performance.now() - t0);
      if (i < STARTS - 1) {
        ch.ws.close();
        await fetch(`${base}api/kernels/${id}`, { method: "DELETE", headers });
      } else {
        ch.ws.close();
        kernelId = id;
      }
    }
    const ch = await Channel.open(`ws://127.0.0.1:${port}/api/kernels/${kernelId}/channels?token=${token}&session_id=bench2`);
    for (let i = 0; i < 20; i++) await ch.call("execute_request", { code: peer.trivial, silent: false, store_history: true });
    const rtt: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      await ch.call("execute_request", { code: peer.trivial, silent: false, store_history: true });
      rtt.push(performance.now() - t0);
    }
    rtt.sort((a, b) => a - b);
    const before = ch.bytes;
    const t0 = performance.now();
    await ch.call("execute_request", { code: peer.flood, silent: false, store_history: true });
    const floodMs = performance.now() - t0;
    const floodBytes = ch.bytes - before;
    ch.ws.close();
    starts.sort((a, b) => a - b);
    return { start: starts[Math.floor(starts.length / 2)], p50: pct(rtt, 50), p99: pct(rtt, 99), floodMs, floodBytes };
  } finally {
    proc.kill("SIGTERM");
    await sleep(500);
    proc.kill("SIGKILL");
    rmSync(root, { recursive: true, force: true });
  }
}

const results = [];
for (const peer of peers) results.push({ peer: peer.name, ...(await measure(peer)) });
const [ours, theirs] = results;
const w = Math.max(ours.peer.length, theirs.peer.length, 14);
const row = (label: string, a: number, b: number, unit: string, digits = 1) =>
  `| ${label.padEnd(34)} | ${`${a.toFixed(digits)} ${unit}`.padStart(w)} | ${`${b.toFixed(digits)} ${unit}`.padStart(w)} | ${`${(a / b).toFixed(2)}×`.padStart(6)} |`;
console.log(`\nKernel latency: ${RUNS} round trips, a ${LINES.toLocaleString("en-US")}-line flood, median of ${STARTS} starts\n`);
console.log(`| ${"measure".padEnd(34)} | ${ours.peer.padStart(w)} | ${theirs.peer.padStart(w)} | ${"ratio".padStart(6)} |`);
console.log(`|${"-".repeat(36)}|${"-".repeat(w + 2)}|${"-".repeat(w + 2)}|${"-".repeat(8)}|`);
console.log(row("kernel start (POST → kernel_info)", ours.start, theirs.start, "ms"));
console.log(row("`1+1` round trip, median", ours.p50, theirs.p50, "ms", 2));
console.log(row("`1+1` round trip, p99", ours.p99, theirs.p99, "ms", 2));
console.log(row(`print ${LINES} lines, time`, ours.floodMs, theirs.floodMs, "ms"));
console.log(row(`print ${LINES} lines, bytes on wire`, ours.floodBytes / 1024, theirs.floodBytes / 1024, "KB", 0));
console.log("\nratio = Tessera / Jupyter (lower is better for every row)");
