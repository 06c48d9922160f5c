/** The GPU sampler against a fake nvidia-smi that replays real captures, and fails as the real one does. */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { GpuSampler, NO_DRIVER, type GpuSamplerOptions, type GpuSnapshot } from "../src/metrics/gpu-sampler.js";
import { toGpuMetrics } from "../src/metrics/nvidia-smi-parse.js";
import { fromCapture, installFakeNvidiaSmi, twoGpus, withGpuValues, type FakeTool } from "./helpers/fake-nvidia-smi.js";
import { loadCapture, skipWithoutFixtures } from "./helpers/nvidia-smi-fixtures.js";

const MIB = 1024 * 1024;
const DRIVER_FAILED =
  "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.";

async function until(s: GpuSampler, test: (snap: GpuSnapshot) => boolean, timeoutMs = 10_000): Promise<GpuSnapshot> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const snap = s.snapshot();
    if (test(snap)) return snap;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out; last snapshot: ${JSON.stringify(s.snapshot().status)}`);
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("GPU sampler", { skip: skipWithoutFixtures }, () => {
  let fake: FakeTool;
  let sampler: GpuSampler | null = null;
  const make = (o: GpuSamplerOptions = {}) => (sampler = new GpuSampler({ env: fake.env, appsIntervalMs: 200, backoffMs: 50, ...o }));

  before(async () => {
    fake = await installFakeNvidiaSmi(fromCapture(loadCapture("h100-80gb")));
  });
  after(async () => {
    sampler?.stop();
    await fake?.close();
  });

  it("one H100: one long-running -lms child, rows and processes as printed", async () => {
    await fake.set(fromCapture(loadCapture("h100-80gb")));
    const before = (await fake.calls()).length;
    const s = make();
    s.start(100);
    const snap = await until(s, (x) => x.rows.length === 1 && x.apps !== null && x.cudaVersion !== null);
    await new Promise((r) => setTimeout(r, 500)); // several periods
    const g = toGpuMetrics(s.snapshot().rows[0]);
    assert.equal(snap.status.state, "ok");
    assert.equal(g.name, "NVIDIA H100 80GB HBM3");
    assert.equal(g.utilizationPercent, 100);
    assert.equal(g.memoryUsedBytes, 19818 * MIB);
    assert.equal(g.powerDrawW, 631.95);
    assert.deepEqual(
      snap.apps!.map((a) => [a.pid, a.usedMemoryBytes! / MIB]),
      [
        [11327, 2566],
        [11328, 1542],
        [11345, 15690],
      ],
    );
    assert.equal(snap.cudaVersion, "13.1");
    const loops = (await fake.calls()).slice(before).filter((c) => c.args.some((a) => a.startsWith("--query-gpu=")));
    assert.equal(loops.length, 1, "a single query-gpu child, not one per sample");
    assert.deepEqual(loops[0].args.slice(1), ["--format=csv,noheader,nounits", "-lms", "100"], "looping with -lms");
    const pid = s.childPid!;
    s.stop();
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(isAlive(pid), false, "stop() ends the child");
  });

  it("two GPUs: one row each, in index order", async () => {
    await fake.set(twoGpus(loadCapture("h100-80gb"), loadCapture("h200")));
    const s = make();
    s.start(100);
    const snap = await until(s, (x) => x.rows.length === 2 && x.apps !== null);
    assert.deepEqual(
      snap.rows.map((r) => [r.index, r.name]),
      [
        ["0", "NVIDIA H100 80GB HBM3"],
        ["1", "NVIDIA H200"],
      ],
    );
    assert.equal(toGpuMetrics(snap.rows[1]).memoryTotalBytes, 143771 * MIB);
    assert.equal(snap.apps!.filter((a) => a.gpuUuid === snap.rows[1].uuid).length, 3);
    s.stop();
  });

  it("MIG: the GPU reads, utilization is null", async () => {
    await fake.set(fromCapture(loadCapture("h100-mig")));
    const s = make();
    s.start(100);
    const snap = await until(s, (x) => x.rows.length === 1);
    const g = toGpuMetrics(snap.rows[0]);
    assert.equal(g.migMode, true);
    assert.equal(g.utilizationPercent, null);
    assert.equal(g.powerDrawW, 433.78);
    s.stop();
  });

  it("L40S with [N/A] and [Not Supported] values", async () => {
    // Derived: [Not Supported] put into the L40S capture's power.limit, as older drivers print it.
    await fake.set(withGpuValues(fromCapture(loadCapture("l40s")), { "power.limit": "[Not Supported]" }));
    const s = make();
    s.start(100);
    const g = toGpuMetrics((await until(s, (x) => x.rows.length === 1)).rows[0]);
    assert.equal(g.name, "NVIDIA L40S");
    assert.equal(g.fanPercent, null);
    assert.equal(g.memoryTemperatureC, null);
    assert.equal(g.powerLimitW, null);
    assert.equal(g.powerDrawW, 110.23);
    s.stop();
  });

  it("an older driver that refuses a field: asked again without it", async () => {
    const sc = fromCapture(loadCapture("rtx-4080"));
    const keep = sc.gpus.header.map((h, i) => (h.startsWith("memory.reserved") ? -1 : i)).filter((i) => i >= 0);
    await fake.set({ ...sc, gpus: { header: keep.map((i) => sc.gpus.header[i]), rows: sc.gpus.rows.map((r) => keep.map((i) => r[i])) } });
    const s = make();
    s.start(100);
    const snap = await until(s, (x) => x.rows.length === 1);
    assert.equal(snap.rows[0]["memory.reserved"], undefined);
    assert.equal(toGpuMetrics(snap.rows[0]).fanPercent, 0);
    assert.equal(snap.failures, 0);
    s.stop();
  });

  it("no nvidia-smi on PATH: unavailable, with the reason, and nothing thrown", async () => {
    const empty = await mkdtemp(join(tmpdir(), "tessera-empty-path-"));
    const s = make({ env: { ...process.env, PATH: empty } });
    s.start(100);
    const snap = await until(s, (x) => x.status.state !== "starting");
    assert.deepEqual(snap.status, { state: "unavailable", message: NO_DRIVER });
    assert.equal(snap.rows.length, 0);
    s.stop();
    await rm(empty, { recursive: true, force: true });
  });

  it("the tool failing with the driver message: that message, restarts bounded", async () => {
    await fake.set({ ...fromCapture(loadCapture("h100-80gb")), fail: { message: DRIVER_FAILED, code: 9 } });
    const before = (await fake.calls()).filter((c) => c.args.some((a) => a.startsWith("--query-gpu="))).length;
    const s = make({ maxRestarts: 2 });
    s.start(100);
    const snap = await until(s, (x) => x.status.message?.includes("gave up") ?? false);
    assert.equal(snap.status.state, "error");
    assert.ok(snap.status.message!.startsWith(DRIVER_FAILED), snap.status.message!);
    assert.equal(snap.exitCode, 9);
    await new Promise((r) => setTimeout(r, 400));
    const tries = (await fake.calls()).filter((c) => c.args.some((a) => a.startsWith("--query-gpu="))).length - before;
    assert.equal(tries, 3, "first run and two restarts, then no more");
    s.stop();
  });

  it("a child that dies mid-stream: the partial line is ignored, it is restarted and reads again", async () => {
    await fake.set({ ...fromCapture(loadCapture("h200")), die: { lines: 3, runs: 1, signal: "SIGKILL" } });
    const s = make();
    s.start(100);
    const failed = await until(s, (x) => x.failures === 1);
    assert.equal(failed.status.state, "error");
    assert.match(failed.status.message!, /killed by SIGKILL/);
    const back = await until(s, (x) => x.status.state === "ok" && x.rows.length === 1);
    assert.equal(toGpuMetrics(back.rows[0]).name, "NVIDIA H200");
    assert.equal(back.failures, 1);
    s.stop();
  });
});
