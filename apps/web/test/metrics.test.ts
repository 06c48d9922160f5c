import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { MetricsSample, MetricsServerMessage } from "@tessera/protocol";
import { formatBytes, formatUsedTotal, kernelFigures } from "../src/metrics/format.js";
import { MetricsClient } from "../src/metrics/metrics-client.js";
import { MetricsHistory } from "../src/metrics/metrics-history.js";
import { FakeSocket, FakeTimers } from "./fakes.js";

const GiB = 2 ** 30;
const MiB = 2 ** 20;

function sample(t: number, over: Partial<MetricsSample> = {}): MetricsSample {
  return {
    t,
    system: { cpuPercent: 20, cpuCount: 8, memoryUsedBytes: 4 * GiB, memoryTotalBytes: 16 * GiB },
    gpuStatus: { state: "ok", message: null },
    gpus: [],
    gpuProcesses: [],
    kernels: [
      {
        kernelId: "k1",
        notebook: "a.ipynb",
        pid: 10,
        executionState: "busy",
        cpuPercent: 98,
        rssBytes: 850 * MiB,
        gpuMemoryBytes: 1.2 * GiB,
      },
    ],
    ...over,
  };
}

const receive = (ws: FakeSocket, msg: MetricsServerMessage) => ws.onmessage?.({ data: JSON.stringify(msg) });

describe("metrics formatting", () => {
  it("writes bytes in binary units and a kernel's figures for the header", () => {
    assert.equal(formatBytes(0), "0 B");
    assert.equal(formatBytes(850 * MiB), "850 MiB");
    assert.equal(formatBytes(1.2 * GiB), "1.2 GiB");
    assert.equal(formatBytes(null), "—");
    assert.equal(formatUsedTotal(12.34 * GiB, 80 * GiB), "12.3 / 80.0 GiB");
    assert.equal(formatUsedTotal(300 * GiB, 1024 * GiB), "0.3 / 1.0 TiB");
    assert.equal(kernelFigures({ gpuMemoryBytes: 1.2 * GiB, cpuPercent: 98.4, rssBytes: 850 * MiB }), "GPU 1.2 GiB · CPU 98% · 850 MiB");
    assert.equal(kernelFigures({ gpuMemoryBytes: null, cpuPercent: null, rssBytes: 100 * MiB }), "CPU — · 100 MiB");
  });
});

describe("metrics history", () => {
  it("loads the server's history, appends samples and drops what leaves the window", () => {
    const h = new MetricsHistory();
    h.load({ t: [1000, 2000, 3000], series: { "system.cpuPercent": [1, null, 3], "kernel.old.rssBytes": [5, null, null] } }, 10_000);
    assert.deepEqual(h.t, [1, 2, 3]);
    assert.deepEqual(h.values("system.cpuPercent"), [1, null, 3]);
    assert.equal(h.count("system.cpuPercent"), 2);
    h.append(sample(4000));
    assert.deepEqual(h.values("system.cpuPercent"), [1, null, 3, 20]);
    assert.deepEqual(h.values("kernel.k1.cpuPercent"), [null, null, null, 98], "a new series is padded at the front");
    assert.deepEqual(h.values("kernel.old.rssBytes"), [5, null, null, null], "a missing series gets a gap");
    h.append(sample(12_500));
    assert.deepEqual(h.t, [3, 4, 12.5], "points older than 10 s before the newest are gone");
    assert.deepEqual(h.values("kernel.old.rssBytes"), [null, null, null], "an empty series is forgotten");
    h.append(sample(12_500, { system: { cpuPercent: 55, cpuCount: 8, memoryUsedBytes: 0, memoryTotalBytes: 1 } }));
    assert.deepEqual(h.values("system.cpuPercent"), [3, 20, 55], "a sample at the same time replaces the last point");
  });
});

describe("metrics client", () => {
  function setup() {
    const timers = new FakeTimers();
    const sockets: FakeSocket[] = [];
    const client = new MetricsClient({
      url: () => "ws://x/api/tessera/metrics",
      createSocket: (url) => {
        const s = new FakeSocket(url);
        sockets.push(s);
        return s;
      },
      timers,
      now: () => timers.now,
      backoff: { initialMs: 500, maxMs: 10_000, factor: 2, random: () => 0.999 },
    });
    return { timers, sockets, client };
  }

  it("connects only when wanted, subscribes at 1 s, takes history then samples", () => {
    const { sockets, client } = setup();
    assert.equal(sockets.length, 0, "nothing until the panel wants it");
    client.setWanted(true);
    assert.equal(sockets.length, 1);
    sockets[0].open();
    assert.deepEqual(sockets[0].sent, [{ type: "subscribe", intervalMs: 1000 }]);
    receive(sockets[0], { type: "sample", sample: sample(500) });
    assert.equal(client.history.length, 0, "samples before the history are ignored");
    receive(sockets[0], {
      type: "history",
      intervalMs: 1000,
      periodMs: 1000,
      windowMs: 600_000,
      t: [1000],
      series: { "system.cpuPercent": [7] },
      latest: sample(1000),
    });
    assert.equal(client.getState().status, "open");
    receive(sockets[0], { type: "sample", sample: sample(2000) });
    assert.deepEqual(client.history.values("system.cpuPercent"), [7, 20]);
    assert.equal(client.getState().latest?.t, 2000);
    assert.equal(client.getState().version, 2);
  });

  it("unsubscribes when no longer wanted, closes after a while, and resubscribes on the same socket if wanted again soon", () => {
    const { timers, sockets, client } = setup();
    client.setWanted(true);
    sockets[0].open();
    client.setWanted(false);
    assert.deepEqual(sockets[0].sentOfType("unsubscribe"), [{ type: "unsubscribe" }]);
    assert.equal(client.getState().status, "idle");
    timers.advance(5000);
    client.setWanted(true);
    assert.equal(sockets.length, 1, "the socket is reused");
    assert.equal(sockets[0].sentOfType("subscribe").length, 2);
    client.setWanted(false);
    timers.advance(31_000);
    assert.deepEqual(sockets[0].closed, { code: 1000, reason: "not watching" });
    timers.advance(120_000);
    assert.equal(sockets.length, 1, "no reconnect while unwanted");
  });

  it("reconnects with backoff after a drop, and when the stream goes silent", () => {
    const { timers, sockets, client } = setup();
    client.setWanted(true);
    sockets[0].open();
    receive(sockets[0], { type: "history", intervalMs: 1000, periodMs: 1000, windowMs: 600_000, t: [], series: {}, latest: null });
    sockets[0].drop();
    assert.equal(client.getState().status, "reconnecting");
    timers.advance(400);
    assert.equal(sockets.length, 1);
    timers.advance(200);
    assert.equal(sockets.length, 2, "after about 0.5 s");
    sockets[1].drop();
    timers.advance(900);
    assert.equal(sockets.length, 2);
    timers.advance(200);
    assert.equal(sockets.length, 3, "then about 1 s");
    sockets[2].open();
    receive(sockets[2], { type: "history", intervalMs: 1000, periodMs: 1000, windowMs: 600_000, t: [], series: {}, latest: null });
    assert.equal(client.getState().status, "open");
    // Silence: no sample for 15 s means a dead tunnel.
    timers.advance(21_000);
    assert.equal(sockets[2].closed?.code, 4001);
    timers.advance(1000);
    assert.equal(sockets.length, 4);
  });
});
