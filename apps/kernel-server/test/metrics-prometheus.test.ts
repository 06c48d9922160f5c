/**
 * GET /metrics through the real server. The fake nvidia-smi replays a capture, and what the
 * server publishes must equal what nvidia_gpu_exporter published on that same machine
 * (the `.metrics` file recorded with the capture): names, labels and values.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { fromCapture, installFakeNvidiaSmi, type FakeTool } from "./helpers/fake-nvidia-smi.js";
import { exporterMetrics, loadCapture, skipWithoutFixtures } from "./helpers/nvidia-smi-fixtures.js";
import { parseExposition, seriesOf } from "./helpers/prom-text.js";
import { startTestServer, type TestServer } from "./helpers/test-server.js";

const MIB = 1024 * 1024;

/** Names a Grafana dashboard for the exporter reads: each must be there when the GPU reports it. */
const REQUIRED = [
  "nvidia_smi_gpu_info",
  "nvidia_smi_index",
  "nvidia_smi_memory_used_bytes",
  "nvidia_smi_memory_total_bytes",
  "nvidia_smi_memory_free_bytes",
  "nvidia_smi_temperature_gpu",
  "nvidia_smi_power_draw_watts",
  "nvidia_smi_power_limit_watts",
  "nvidia_smi_clocks_current_sm_clock_hz",
  "nvidia_smi_clocks_current_memory_clock_hz",
  "nvidia_smi_pstate",
  "nvidia_smi_compute_apps",
  "nvidia_smi_compute_app_info",
  "nvidia_smi_compute_app_used_memory_bytes",
  "nvidia_smi_last_collect_success",
  "nvidia_smi_command_exit_code",
];

describe("GET /metrics", { skip: skipWithoutFixtures }, () => {
  let fake: FakeTool;
  let t: TestServer;
  let kernelId: string;
  let kernelPid: number;
  const scrape = async () => {
    const res = await t.api("/metrics");
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
    return parseExposition(await res.text());
  };

  before(async () => {
    fake = await installFakeNvidiaSmi(fromCapture(loadCapture("h100-80gb")));
    t = await startTestServer({ app: { metrics: { gpu: { env: fake.env, appsIntervalMs: 300 } } } });
    const res = await t.api("/api/sessions", {
      method: "POST",
      body: JSON.stringify({ path: "runs/gpt.ipynb", type: "notebook", kernel: { name: "typescript" } }),
    });
    kernelId = ((await res.json()) as { kernel: { id: string } }).kernel.id;
    kernelPid = t.server.kernels.get(kernelId).pid!;
  });
  after(async () => {
    await t?.close();
    await fake?.close();
  });

  it("needs the token (403, not a login page) and starts no sampler for a refused scrape", async () => {
    const none = await fetch(new URL("/metrics", t.base), { redirect: "manual" });
    assert.equal(none.status, 403);
    const wrong = await fetch(new URL("/metrics", t.base), { headers: { authorization: "token nope" }, redirect: "manual" });
    assert.equal(wrong.status, 403);
    assert.equal(t.server.metrics.isRunning, false, "an idle server runs no sampler");
    const query = await fetch(new URL(`/metrics?token=${t.token}`, t.base), { redirect: "manual" });
    assert.equal(query.status, 200, "?token= works for a scraper too, without a cookie redirect");
  });

  for (const name of ["h100-80gb", "h100-mig"]) {
    it(`${name}: the exporter's names, labels and values for what the tool printed`, async () => {
      t.server.metrics.stop(); // the next scrape starts the tool afresh on this capture
      await fake.set(fromCapture(loadCapture(name)));
      const ours = await scrape();
      const theirs = parseExposition(exporterMetrics(name));
      const gpuNames = [...ours.keys()].filter((n) => n.startsWith("nvidia_smi_"));
      for (const n of REQUIRED) assert.ok(ours.has(n), `${n} published`);
      assert.ok(gpuNames.length >= 20, `${gpuNames.length} GPU metrics`);
      for (const n of gpuNames) {
        assert.ok(theirs.has(n), `${n} is a name nvidia_gpu_exporter uses`);
        assert.deepEqual(seriesOf(ours, n), seriesOf(theirs, n), `${n}: same series and values`);
      }
      // Reported by the exporter but [N/A] here: absent on both sides, not zero.
      const util = ours.has("nvidia_smi_utilization_gpu_ratio");
      assert.equal(util, name !== "h100-mig", "no utilization for a MIG-enabled GPU");
    });
  }

  it("tessera_kernel_*: CPU, resident and GPU memory per kernel, by kernel id, notebook and user", async () => {
    const sc = fromCapture(loadCapture("h100-80gb"));
    const pidCol = sc.apps.header.indexOf("pid");
    const memCol = sc.apps.header.findIndex((h) => h.startsWith("used_gpu_memory"));
    const mine = sc.apps.rows[2].map((v, i) => (i === pidCol ? String(kernelPid) : i === memCol ? "2048 MiB" : v));
    t.server.metrics.stop();
    await fake.set({ ...sc, apps: { header: sc.apps.header, rows: [...sc.apps.rows, mine] } });
    const m = await scrape(); // cold: it waits for the tool, the process list and a second CPU reading
    const labels = { kernel_id: kernelId, notebook: "runs/gpt.ipynb", user: t.server.workspaces.all()[0].user.name };
    const key = JSON.stringify(Object.entries(labels).sort());
    assert.equal(seriesOf(m, "tessera_kernel_gpu_memory_bytes").get(key), 2048 * MIB);
    assert.ok(seriesOf(m, "tessera_kernel_resident_memory_bytes").get(key)! > 10 * MIB);
    const cpu = seriesOf(m, "tessera_kernel_cpu_ratio").get(key);
    assert.ok(cpu !== undefined && cpu >= 0 && cpu < 4, `cpu ratio ${cpu}`);
    assert.equal(m.get("tessera_kernels")?.[0].value, 1);
    const app = m.get("nvidia_smi_compute_app_used_memory_bytes")!.find((s) => s.labels.pid === String(kernelPid));
    assert.equal(app?.value, 2048 * MIB);
    assert.ok((m.get("tessera_system_memory_total_bytes")?.[0].value ?? 0) > 0);
    assert.ok(m.has("process_resident_memory_bytes"), "the server process's own defaults");
  });

  it("the tool failing: collect success 0, its exit code, a failure counted", async () => {
    t.server.metrics.stop();
    await fake.set({
      ...fromCapture(loadCapture("h100-80gb")),
      fail: { message: "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.", code: 9 },
    });
    const m = await scrape();
    assert.equal(m.get("nvidia_smi_last_collect_success")?.[0].value, 0);
    assert.equal(m.get("nvidia_smi_command_exit_code")?.[0].value, 9);
    assert.ok(m.get("nvidia_smi_failed_scrapes_total")![0].value >= 1);
    assert.equal(m.has("nvidia_smi_gpu_info"), false, "no stale GPU series");
  });
});
