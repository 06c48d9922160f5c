/** WS /api/tessera/metrics through the real server, with a fake nvidia-smi replaying a real H100 capture. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { MetricsSample, MetricsServerMessage } from "@tessera/protocol";
import { fromCapture, installFakeNvidiaSmi, type FakeTool } from "./helpers/fake-nvidia-smi.js";
import { loadCapture, skipWithoutFixtures } from "./helpers/nvidia-smi-fixtures.js";
import { openSocket, request, waitFor, type RecordingSocket } from "./helpers/raw-socket.js";
import { startTestServer, type TestServer } from "./helpers/test-server.js";

const MIB = 1024 * 1024;
const H100_UUID = "GPU-00000000-0000-0000-0000-000000000000";
const DRIVER_FAILED =
  "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.";

const samplesOf = (ws: RecordingSocket, from = 0): MetricsSample[] =>
  (ws.received.slice(from) as MetricsServerMessage[]).flatMap((m) => (m.type === "sample" ? [m.sample] : []));

describe("metrics WebSocket", { skip: skipWithoutFixtures }, () => {
  let fake: FakeTool;
  let t: TestServer;
  let kernelId: string;
  let kernelPid: number;
  const url = () => `${t.ws}api/tessera/metrics?token=${t.token}`;
  const sockets: RecordingSocket[] = [];
  const open = async (u = url(), o = {}) => {
    const ws = await openSocket(u, o);
    sockets.push(ws);
    return ws;
  };

  before(async () => {
    fake = await installFakeNvidiaSmi(fromCapture(loadCapture("h100-80gb")));
    t = await startTestServer({
      app: { metrics: { lingerMs: 300, scrapeKeepAliveMs: 300, gpu: { env: fake.env, appsIntervalMs: 300, backoffMs: 100 } } },
    });
    const res = await t.api("/api/sessions", {
      method: "POST",
      body: JSON.stringify({ path: "train.ipynb", type: "notebook", kernel: { name: "typescript" } }),
    });
    kernelId = ((await res.json()) as { kernel: { id: string } }).kernel.id;
    kernelPid = t.server.kernels.get(kernelId).pid!;
  });
  after(async () => {
    for (const ws of sockets) ws.terminate();
    await t?.close();
    await fake?.close();
  });

  it("needs the token, and refuses a foreign Origin even with it", async () => {
    await assert.rejects(openSocket(`${t.ws}api/tessera/metrics`), /HTTP 403/);
    await assert.rejects(openSocket(`${t.ws}api/tessera/metrics?token=wrong`), /HTTP 403/);
    await assert.rejects(openSocket(url(), { headers: { origin: "http://evil.example" } }), /HTTP 403/);
    const ok = await open(url(), { headers: { origin: t.base.replace(/\/$/, "") } });
    ok.close();
  });

  it("answers malformed messages with an error and keeps the socket", async () => {
    const ws = await open();
    ws.send("{not json");
    ws.send(JSON.stringify({ type: "bogus" }));
    ws.send(JSON.stringify({ type: "subscribe", intervalMs: "fast" }));
    ws.send(Buffer.from([1, 2, 3]), { binary: true });
    await waitFor(ws, () => ws.received.length >= 4);
    assert.deepEqual(
      ws.received.map((m) => m.type),
      ["error", "error", "error", "error"],
    );
    assert.match(ws.received[0].message, /Malformed message/);
    assert.match(ws.received[1].message, /unknown message type "bogus"/);
    ws.send(JSON.stringify({ type: "subscribe" }));
    const h = await waitFor(ws, (m) => m.type === "history");
    assert.equal(h.intervalMs, 1000, "the default rate");
    ws.close();
  });

  it("subscribe: history first, then samples at the chosen rate (clamped to 250 ms)", async () => {
    const ws = await open();
    ws.send(JSON.stringify({ type: "subscribe", intervalMs: 10 }));
    await waitFor(ws, () => samplesOf(ws).filter((s) => s.gpuStatus.state === "ok").length >= 6);
    assert.equal(ws.received[0].type, "history", "history before any sample");
    assert.equal(ws.received[0].intervalMs, 250);
    assert.equal(ws.received[0].windowMs, 600_000);
    const ok = samplesOf(ws).filter((s) => s.gpuStatus.state === "ok");
    const gaps = ok.slice(1).map((s, i) => s.t - ok[i].t);
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    assert.ok(mean > 150 && mean < 700, `samples every ~250 ms, got ${gaps.join(", ")}`);
    const s = ok.at(-1)!;
    assert.equal(s.gpus.length, 1);
    assert.equal(s.gpus[0].name, "NVIDIA H100 80GB HBM3");
    assert.equal(s.gpus[0].memoryUsedBytes, 19818 * MIB);
    assert.equal(s.gpus[0].utilizationPercent, 100);
    assert.ok(s.system.memoryTotalBytes > s.system.memoryUsedBytes && s.system.memoryUsedBytes > 0);
    const k = s.kernels.find((x) => x.kernelId === kernelId)!;
    assert.equal(k.notebook, "train.ipynb");
    assert.equal(k.pid, kernelPid);
    // Re-rate: history again, then slower samples.
    const mark = ws.received.length;
    ws.send(JSON.stringify({ type: "subscribe", intervalMs: 1000 }));
    await waitFor(ws, () => samplesOf(ws, mark).length >= 3);
    assert.equal(ws.received[mark].type, "history");
    const slow = samplesOf(ws, mark);
    assert.ok(slow[2].t - slow[1].t >= 700, `samples every ~1 s after re-rating, got ${slow[2].t - slow[1].t}`);
    // The history a new page gets holds what was sampled.
    const hist = ws.received[mark];
    assert.ok(hist.t.length >= 2, "points recorded");
    assert.ok(hist.series[`gpu.${H100_UUID}.memoryUsedBytes`].includes(19818 * MIB));
    assert.ok(hist.series[`kernel.${kernelId}.rssBytes`].some((v: number | null) => v !== null && v > 10 * MIB));
    assert.equal(hist.latest.gpus[0].uuid, H100_UUID);
    ws.close();
  });

  it("a busy kernel shows its CPU and memory; its GPU memory is found by pid", async () => {
    // The fake now also lists the kernel's own process on the GPU (a row of the capture, pid replaced).
    const sc = fromCapture(loadCapture("h100-80gb"));
    const pidCol = sc.apps.header.indexOf("pid");
    const memCol = sc.apps.header.findIndex((h) => h.startsWith("used_gpu_memory"));
    const mine = sc.apps.rows[0].map((v, i) => (i === pidCol ? String(kernelPid) : i === memCol ? "1234 MiB" : v));
    await fake.set({ ...sc, apps: { header: sc.apps.header, rows: [...sc.apps.rows, mine] } });
    const ch = await open(`${t.ws}api/kernels/${kernelId}/channels?token=${t.token}`);
    const req = request("execute_request", { code: "const end = Date.now() + 4000; while (Date.now() < end) {}" });
    const ws = await open();
    ws.send(JSON.stringify({ type: "subscribe", intervalMs: 500 }));
    ch.send(req.frame);
    const busy = (s: MetricsSample) => (s.kernels.find((k) => k.kernelId === kernelId)?.cpuPercent ?? 0) > 25;
    await waitFor(ws, (m) => m.type === "sample" && busy(m.sample), 15_000);
    const withGpu = (s: MetricsSample) => s.kernels.find((k) => k.kernelId === kernelId)?.gpuMemoryBytes === 1234 * MIB;
    const m = await waitFor(ws, (x) => x.type === "sample" && withGpu(x.sample), 15_000);
    const k = m.sample.kernels.find((x: { kernelId: string }) => x.kernelId === kernelId);
    assert.ok(k.rssBytes > 10 * MIB, `kernel RSS ${k.rssBytes}`);
    const proc = m.sample.gpuProcesses.find((p: { pid: number }) => p.pid === kernelPid);
    assert.equal(proc.kernelId, kernelId, "the page can tell which notebook holds the GPU");
    assert.equal(
      m.sample.gpuProcesses.filter((p: { kernelId: string | null }) => p.kernelId === null).length,
      3,
      "other programs are nobody's",
    );
    await waitFor(ch, (x) => x.header?.msg_type === "execute_reply" && x.parent_header?.msg_id === req.msgId, 20_000);
    ch.close();
    ws.close();
  });

  it("the tool failing: the status says why, the server carries on", async () => {
    t.server.metrics.stop();
    await fake.set({ ...fromCapture(loadCapture("h100-80gb")), fail: { message: DRIVER_FAILED, code: 9 } });
    const ws = await open();
    ws.send(JSON.stringify({ type: "subscribe", intervalMs: 250 }));
    const m = await waitFor(ws, (x) => x.type === "sample" && x.sample.gpuStatus.state === "error");
    assert.equal(m.sample.gpuStatus.message, DRIVER_FAILED);
    assert.deepEqual(m.sample.gpus, []);
    assert.equal(m.sample.kernels.find((k: { kernelId: string }) => k.kernelId === kernelId).gpuMemoryBytes, null);
    assert.equal((await t.api("/api/status")).status, 200);
    ws.close();
  });

  it("stops sampling, and its nvidia-smi child, once nobody watches", async () => {
    t.server.metrics.stop();
    await fake.set(fromCapture(loadCapture("h100-80gb")));
    const ws = await open();
    ws.send(JSON.stringify({ type: "subscribe", intervalMs: 250 }));
    await waitFor(ws, (x) => x.type === "sample" && x.sample.gpuStatus.state === "ok");
    const pid = t.server.metrics.gpu.childPid!;
    assert.ok(pid > 0 && t.server.metrics.isRunning);
    ws.close();
    const end = Date.now() + 10_000;
    while (t.server.metrics.isRunning && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    assert.equal(t.server.metrics.isRunning, false, "sampler stopped");
    await new Promise((r) => setTimeout(r, 300));
    assert.throws(() => process.kill(pid, 0), "the nvidia-smi child is gone");
  });
});
