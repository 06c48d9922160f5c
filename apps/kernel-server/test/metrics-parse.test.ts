/** Parsing nvidia-smi output, checked against every real capture in the shared fixtures. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sampleSeries, type MetricsSample } from "@tessera/protocol";
import { SeriesHistory } from "../src/metrics/history.js";
import {
  COMPUTE_APPS_FIELDS,
  GPU_QUERY_FIELDS,
  describeToolFailure,
  invalidField,
  parseComputeApps,
  parseCudaVersion,
  parseGpuLine,
  readNumber,
  toGpuMetrics,
} from "../src/metrics/nvidia-smi-parse.js";
import { allCaptures, cell, csvLine, haveFixtures, loadCapture, skipWithoutFixtures } from "./helpers/nvidia-smi-fixtures.js";

const MIB = 1024 * 1024;
/** What a recorded value means as a number: "19818 MiB" → 19818, "[N/A]" → null. */
const recorded = (v: string) => (/^-?\d+(\.\d+)?( \S+)?$/.test(v) ? parseFloat(v) : null);

describe("nvidia-smi parsing: every capture", { skip: skipWithoutFixtures }, () => {
  for (const name of haveFixtures ? allCaptures() : []) {
    for (const phase of ["idle", "load"] as const) {
      it(`${name} (${phase}): the GPU row and the process list`, () => {
        const c = loadCapture(name);
        const t = c.queryGpu(phase);
        const rec = t.rows[0];
        const row = parseGpuLine(GPU_QUERY_FIELDS, csvLine(t, rec, GPU_QUERY_FIELDS));
        assert.ok(row, "a whole row parses");
        const g = toGpuMetrics(row);
        assert.equal(g.uuid, cell(t, rec, "uuid"));
        assert.equal(g.name, cell(t, rec, "name"));
        assert.equal(g.index, 0);
        const mib = (f: string) => (recorded(cell(t, rec, f)) === null ? null : recorded(cell(t, rec, f))! * MIB);
        assert.equal(g.memoryUsedBytes, mib("memory.used"));
        assert.equal(g.memoryTotalBytes, mib("memory.total"));
        assert.ok(g.memoryTotalBytes! > 8 * 1024 * MIB, "every captured GPU has more than 8 GiB");
        assert.equal(g.utilizationPercent, recorded(cell(t, rec, "utilization.gpu")));
        assert.equal(g.temperatureC, recorded(cell(t, rec, "temperature.gpu")));
        assert.equal(g.memoryTemperatureC, recorded(cell(t, rec, "temperature.memory")));
        assert.equal(g.powerDrawW, recorded(cell(t, rec, "power.draw")));
        assert.equal(g.smClockMHz, recorded(cell(t, rec, "clocks.current.sm")));
        assert.equal(g.fanPercent, recorded(cell(t, rec, "fan.speed")));
        assert.equal(g.migMode, cell(t, rec, "mig.mode.current") === "Enabled");

        const apps = c.computeApps(phase);
        const parsed = parseComputeApps(apps.rows.map((r) => csvLine(apps, r, COMPUTE_APPS_FIELDS)).join("\n") + "\n");
        assert.equal(parsed.length, apps.rows.length);
        parsed.forEach((p, i) => {
          assert.equal(p.pid, Number(cell(apps, apps.rows[i], "pid")));
          assert.equal(p.processName, cell(apps, apps.rows[i], "process_name"));
          assert.equal(p.usedMemoryBytes, recorded(cell(apps, apps.rows[i], "used_gpu_memory"))! * MIB);
        });
        assert.match(parseCudaVersion(c.version) ?? "", /^\d+\.\d+$/);
      });
    }
  }

  it("MIG: utilization is not reported for the whole GPU", () => {
    const t = loadCapture("h100-mig").queryGpu("load");
    const g = toGpuMetrics(parseGpuLine(GPU_QUERY_FIELDS, csvLine(t, t.rows[0], GPU_QUERY_FIELDS))!);
    assert.equal(g.migMode, true);
    assert.equal(g.utilizationPercent, null);
    assert.equal(g.memoryUsedBytes, 11125 * MIB);
  });

  it("L40S and RTX: N/A and [N/A] become null, real zeros stay zeros", () => {
    const l40s = loadCapture("l40s").queryGpu("load");
    const g = toGpuMetrics(parseGpuLine(GPU_QUERY_FIELDS, csvLine(l40s, l40s.rows[0], GPU_QUERY_FIELDS))!);
    assert.equal(cell(l40s, l40s.rows[0], "temperature.memory"), "N/A");
    assert.equal(g.memoryTemperatureC, null);
    assert.equal(g.fanPercent, null);
    assert.equal(g.migMode, false);
    const rtx = loadCapture("rtx-4080").queryGpu("idle");
    const r = toGpuMetrics(parseGpuLine(GPU_QUERY_FIELDS, csvLine(rtx, rtx.rows[0], GPU_QUERY_FIELDS))!);
    assert.equal(r.fanPercent, 0);
    assert.equal(r.pstate, "P8");
  });
});

describe("nvidia-smi parsing: odd input", () => {
  it("reads numbers with or without units, and nothing else", () => {
    assert.equal(readNumber(" 69.85 W"), 69.85);
    assert.equal(readNumber("0 %"), 0);
    assert.equal(readNumber("19818"), 19818);
    for (const v of ["[N/A]", "N/A", "[Not Supported]", "[Requested functionality has been deprecated]", "", "  ", "P0", undefined])
      assert.equal(readNumber(v), null, String(v));
  });

  it("[Not Supported] fields (older drivers, GeForce boards) are null, the rest of the row still reads", () => {
    // Derived: the captures print [N/A]; older drivers print [Not Supported] for the same fields.
    const fields = ["index", "uuid", "name", "power.draw", "fan.speed", "memory.used"];
    const row = parseGpuLine(fields, "0, GPU-abc, NVIDIA GeForce GTX 1080,  [Not Supported] , [Not Supported], 512");
    assert.ok(row);
    const g = toGpuMetrics(row);
    assert.equal(g.powerDrawW, null);
    assert.equal(g.fanPercent, null);
    assert.equal(g.memoryUsedBytes, 512 * MIB);
  });

  it("refuses partial lines, messages and blank lines", () => {
    const fields = ["index", "uuid", "name", "memory.used"];
    assert.equal(parseGpuLine(fields, "0, GPU-00000000-0000"), null);
    assert.equal(parseGpuLine(fields, ""), null);
    assert.equal(parseGpuLine(fields, "Unable to determine the device handle for GPU0000:01:00.0: Unknown Error, x, y, z"), null);
    assert.equal(parseComputeApps("GPU-0, 12, 1\nnot a line\n\nGPU-0, 13, 100, python, with comma\n").length, 1);
    assert.equal(parseComputeApps("GPU-0, 13, 100, python, with comma\n")[0].processName, "python, with comma");
    assert.equal(parseComputeApps("GPU-0, 13, [N/A], Xorg\n")[0].usedMemoryBytes, null);
  });

  it("says why the tool failed, in its words", () => {
    const msg =
      "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.";
    assert.equal(describeToolFailure(`${msg}\n\n`, 9, null), msg);
    assert.equal(describeToolFailure("", 1, null), "nvidia-smi exited with code 1");
    assert.equal(describeToolFailure("", null, "SIGKILL"), "nvidia-smi was killed by SIGKILL");
    assert.equal(invalidField('Field "memory.reserved" is not a valid field to query.\n\n'), "memory.reserved");
  });
});

describe("metrics history", () => {
  it("keeps the last N points per series, drops series gone for a whole window", () => {
    const h = new SeriesHistory(4);
    for (let i = 0; i < 6; i++) h.push(1000 * i, { a: i, b: i < 2 ? 10 * i : null });
    const s = h.snapshot();
    assert.deepEqual(s.t, [2000, 3000, 4000, 5000]);
    assert.deepEqual(s.series.a, [2, 3, 4, 5]);
    assert.equal(s.series.b, undefined, "no values left in the window: not sent");
    assert.equal(h.seriesCount, 1, "and not kept");
    assert.deepEqual(h.snapshot(4000).t, [4000, 5000]);
  });

  it("flattens samples into series keys the page shares", () => {
    const sample = {
      t: 1,
      system: { cpuPercent: 5, cpuCount: 2, memoryUsedBytes: 10, memoryTotalBytes: 20 },
      gpuStatus: { state: "ok", message: null },
      gpus: [{ uuid: "GPU-x", utilizationPercent: 50, memoryUsedBytes: 7 }],
      gpuProcesses: [],
      kernels: [{ kernelId: "k1", cpuPercent: 100, rssBytes: 3, gpuMemoryBytes: 0 }],
    } as unknown as MetricsSample;
    const s = sampleSeries(sample);
    assert.equal(s["gpu.GPU-x.utilizationPercent"], 50);
    assert.equal(s["kernel.k1.cpuPercent"], 100);
    assert.equal(s["system.memoryUsedBytes"], 10);
  });
});
