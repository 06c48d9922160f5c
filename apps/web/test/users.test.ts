import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KernelUsage, UserLimits } from "@tessera/protocol";
import {
  formatDuration,
  formatGpus,
  formatLimitBytes,
  formatMemoryAgainst,
  limitWords,
  liveKernelCount,
  memoryLevel,
  stopLabel,
} from "../src/admin/limits.js";
import { parseRoute } from "../src/api/urls.js";

const GiB = 2 ** 30;
const MiB = 2 ** 20;
const NONE: UserLimits = {
  maxKernels: null,
  memoryBytes: null,
  idleTimeoutMs: null,
  cpuThreads: null,
  gpus: null,
  gpuMemoryFraction: null,
};

function kernel(over: Partial<KernelUsage> = {}): KernelUsage {
  return {
    kernelId: "k1",
    notebook: "lesson.ipynb",
    executionState: "idle",
    lastActivity: "2025-01-01T00:00:00.000Z",
    rssBytes: null,
    cpuPercent: null,
    gpuMemoryBytes: null,
    reason: null,
    ...over,
  };
}

describe("workshop mode on the page", () => {
  it("routes /admin, with or without a base URL", () => {
    assert.deepEqual(parseRoute("/admin", "/"), { kind: "admin" });
    assert.deepEqual(parseRoute("/admin/", "/"), { kind: "admin" });
    assert.deepEqual(parseRoute("/lab/admin", "/lab/"), { kind: "admin" });
    assert.equal(parseRoute("/admin/other", "/").kind, "missing");
  });

  it("writes limits in words, leaving out the unset ones", () => {
    assert.deepEqual(limitWords(NONE, 0), []);
    const limits: UserLimits = {
      maxKernels: 2,
      memoryBytes: 4 * GiB,
      idleTimeoutMs: 30 * 60_000,
      cpuThreads: 2,
      gpus: [0],
      gpuMemoryFraction: null,
    };
    assert.deepEqual(limitWords(limits, 1), [
      "Kernels: 1 of 2",
      "Memory per kernel: 4 GiB",
      "Idle kernels stop after 30 min",
      "CPU threads per kernel: 2",
      "GPUs: 0",
    ]);
    assert.deepEqual(limitWords({ ...NONE, gpus: [] }, 0), ["GPUs: none"]);
  });

  it("formats limit sizes, durations and GPU lists", () => {
    assert.equal(formatLimitBytes(4 * GiB), "4 GiB");
    assert.equal(formatLimitBytes(1.5 * GiB), "1.5 GiB");
    assert.equal(formatLimitBytes(512 * MiB), "512 MiB");
    assert.equal(formatDuration(45_000), "45 s");
    assert.equal(formatDuration(90 * 60_000), "1 h 30 min");
    assert.equal(formatDuration(2 * 3600_000), "2 h");
    assert.equal(formatGpus(null), "all");
    assert.equal(formatGpus([0, 1]), "0, 1");
  });

  it("shows memory against the limit", () => {
    assert.equal(formatMemoryAgainst(1.2 * GiB, 4 * GiB), "1.2 GiB / 4 GiB");
    assert.equal(formatMemoryAgainst(850 * MiB, null), "850 MiB");
    assert.equal(formatMemoryAgainst(null, 4 * GiB), "— / 4 GiB");
    assert.equal(formatMemoryAgainst(null, null), "—");
    assert.equal(memoryLevel(1 * GiB, 4 * GiB), "ok");
    assert.equal(memoryLevel(3 * GiB, 4 * GiB), "warn");
    assert.equal(memoryLevel(3.8 * GiB, 4 * GiB), "high");
  });

  it("counts only live kernels against the limit, as the server does", () => {
    assert.equal(liveKernelCount([kernel(), kernel({ kernelId: "k2", executionState: "dead", reason: "stopped: idle" })]), 1);
  });

  it("names each Stop button after its user and notebook", () => {
    assert.equal(stopLabel("alice", kernel()), "Stop kernel of alice: lesson.ipynb");
    assert.equal(stopLabel("bob", kernel({ notebook: null, kernelId: "abc" })), "Stop kernel of bob: abc");
  });
});
