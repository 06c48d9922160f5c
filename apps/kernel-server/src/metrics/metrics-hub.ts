import {
  METRICS_DEFAULT_INTERVAL_MS,
  METRICS_MAX_INTERVAL_MS,
  METRICS_MIN_INTERVAL_MS,
  sampleSeries,
  type GpuProcessMetrics,
  type KernelMetrics,
  type MetricsSample,
  type MetricsServerMessage,
} from "@tessera/protocol";
import type { ManagedKernel } from "../kernels/managed-kernel.js";
import { GpuSampler, type GpuSamplerOptions, type GpuSnapshot } from "./gpu-sampler.js";
import { SeriesHistory } from "./history.js";
import { toGpuMetrics, type ComputeApp } from "./nvidia-smi-parse.js";
import { ownerOf, SystemSampler } from "./system-sampler.js";

export interface MetricsHubOptions {
  /** Spacing of history points. */
  historyPeriodMs: number;
  /** How far back history reaches. */
  historyWindowMs: number;
  /** How long sampling goes on after the last subscriber leaves (a page reload comes back). */
  lingerMs: number;
  /** How long one `/metrics` scrape keeps sampling on (longer than a scrape interval). */
  scrapeKeepAliveMs: number;
  gpu: GpuSamplerOptions;
}

export const DEFAULT_METRICS_OPTIONS: MetricsHubOptions = {
  historyPeriodMs: 1000,
  historyWindowMs: 10 * 60_000,
  lingerMs: 10_000,
  scrapeKeepAliveMs: 5 * 60_000,
  gpu: {},
};

/** Clamps a client's requested rate to what the server allows. */
export function clampInterval(ms: unknown): number {
  const v = typeof ms === "number" && Number.isFinite(ms) ? ms : METRICS_DEFAULT_INTERVAL_MS;
  return Math.round(Math.min(METRICS_MAX_INTERVAL_MS, Math.max(METRICS_MIN_INTERVAL_MS, v)));
}

export interface MetricsSubscription {
  readonly intervalMs: number;
  setInterval(ms: number): void;
  close(): void;
}

/** Where the sampler finds every user's kernels and the notebooks they run for. */
export interface KernelDirectory {
  kernels(): ManagedKernel[];
  notebookOf(kernelId: string): string | null;
}

interface Subscriber {
  intervalMs: number;
  lastSent: number;
  send: (msg: MetricsServerMessage) => void;
}

/**
 * Samples the machine, the GPUs and every kernel while someone needs it (a page
 * subscribed, or a `/metrics` scrape within the keep-alive), keeps ten minutes of history,
 * and hands samples to subscribers at their own rates. An idle server runs no sampler and
 * no nvidia-smi child.
 */
export class MetricsHub {
  readonly options: MetricsHubOptions;
  readonly gpu: GpuSampler;
  readonly history: SeriesHistory;
  private system = new SystemSampler();
  private readonly subs = new Set<Subscriber>();
  private running = false;
  private timer: NodeJS.Timeout | null = null;
  private tickMs = 1000;
  private busy = false;
  private latest: MetricsSample | null = null;
  private lastScrapeAt = -Infinity;
  private lastSubscriberAt = -Infinity;
  private owners = { apps: null as ComputeApp[] | null, roots: "", byPid: new Map<number, string>() };
  private settled: Array<() => void> = [];

  constructor(
    private readonly directory: KernelDirectory,
    options: Partial<MetricsHubOptions> = {},
    private readonly log?: (level: "info" | "warn" | "error", msg: string) => void,
  ) {
    this.options = { ...DEFAULT_METRICS_OPTIONS, ...options };
    this.gpu = new GpuSampler({ log, ...this.options.gpu });
    this.history = new SeriesHistory(Math.ceil(this.options.historyWindowMs / this.options.historyPeriodMs));
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Starts a stream at `intervalMs` (clamped). Send the history first: see historyMessage. */
  subscribe(intervalMs: number, send: (msg: MetricsServerMessage) => void): MetricsSubscription {
    const sub: Subscriber = { intervalMs: clampInterval(intervalMs), lastSent: 0, send };
    this.subs.add(sub);
    this.ensureRunning();
    this.retune();
    return {
      get intervalMs() {
        return sub.intervalMs;
      },
      setInterval: (ms) => {
        sub.intervalMs = clampInterval(ms);
        this.retune();
      },
      close: () => {
        if (!this.subs.delete(sub)) return;
        this.lastSubscriberAt = Date.now();
        this.retune();
      },
    };
  }

  historyMessage(intervalMs: number): MetricsServerMessage {
    const h = this.history.snapshot(Date.now() - this.options.historyWindowMs);
    return {
      type: "history",
      intervalMs,
      periodMs: this.options.historyPeriodMs,
      windowMs: this.options.historyWindowMs,
      latest: this.latest,
      ...h,
    };
  }

  /**
   * For `/metrics`: keeps sampling on for a while, and on a cold start waits (briefly) for
   * the GPU tool's first answer so the first scrape is not empty.
   */
  async scrape(timeoutMs = 3000): Promise<{ sample: MetricsSample | null; gpu: GpuSnapshot }> {
    this.lastScrapeAt = Date.now();
    if (!this.running || !this.ready()) {
      this.ensureRunning();
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, timeoutMs);
        function done() {
          clearTimeout(t);
          resolve();
        }
        this.settled.push(done);
      });
    }
    return { sample: this.latest, gpu: this.gpu.snapshot() };
  }

  /**
   * The newest sample without waiting (null before the first), keeping sampling on as a
   * scrape does: the usage columns of `/api/tessera/me` and the teacher's page.
   */
  peek(): MetricsSample | null {
    this.lastScrapeAt = Date.now();
    this.ensureRunning();
    return this.latest;
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.gpu.stop();
    for (const f of this.settled.splice(0)) f();
  }

  /**
   * A sample worth publishing: the GPU tool has answered (or failed), so has the process
   * list when the tool works, and CPU rates have their second reading.
   */
  private ready(): boolean {
    const g = this.gpu.snapshot();
    const gpuDone = g.status.state !== "starting" && (g.status.state !== "ok" || g.appsAt !== null);
    return gpuDone && this.latest !== null && this.latest.system.cpuPercent !== null;
  }

  private ensureRunning(): void {
    if (this.running) return;
    this.running = true;
    this.system = new SystemSampler();
    this.tickMs = this.wantedTick();
    this.gpu.start(this.tickMs);
    void this.tick();
  }

  /** The sampling period: the fastest subscriber, and never slower than the history. */
  private wantedTick(): number {
    let ms = this.options.historyPeriodMs;
    for (const s of this.subs) ms = Math.min(ms, s.intervalMs);
    return Math.max(METRICS_MIN_INTERVAL_MS, ms);
  }

  private retune(): void {
    if (!this.running) return;
    const ms = this.wantedTick();
    if (ms === this.tickMs) return;
    this.tickMs = ms;
    this.gpu.setPeriod(ms);
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
  }

  private idle(now: number): boolean {
    return (
      this.subs.size === 0 &&
      now - this.lastScrapeAt > this.options.scrapeKeepAliveMs &&
      now - this.lastSubscriberAt > this.options.lingerMs
    );
  }

  private async tick(): Promise<void> {
    this.timer = null;
    if (!this.running) return;
    if (this.idle(Date.now())) return this.stop();
    this.timer = setTimeout(() => void this.tick(), this.tickMs);
    if (this.busy) return;
    this.busy = true;
    try {
      const sample = await this.collect();
      if (!this.running) return;
      this.latest = sample;
      const last = this.history.lastTime;
      if (last === null || sample.t - last >= this.options.historyPeriodMs - this.tickMs / 2)
        this.history.push(sample.t, sampleSeries(sample));
      for (const s of this.subs) {
        if (sample.t - s.lastSent < s.intervalMs - this.tickMs / 2) continue;
        s.lastSent = sample.t;
        s.send({ type: "sample", sample });
      }
      if (this.ready()) for (const f of this.settled.splice(0)) f();
    } catch (err) {
      this.log?.("warn", `metrics sampling failed: ${(err as Error).message}`);
    } finally {
      this.busy = false;
    }
  }

  private async collect(): Promise<MetricsSample> {
    const kernels = this.directory.kernels();
    const pids = kernels.flatMap((k) => (k.pid ? [k.pid] : []));
    const { system, processes } = await this.system.sample(pids);
    const gpu = this.gpu.snapshot();
    const owners = await this.gpuOwners(gpu.apps, new Map(kernels.flatMap((k) => (k.pid ? [[k.pid, k.id] as [number, string]] : []))));
    const gpuProcesses: GpuProcessMetrics[] | null = gpu.apps && gpu.apps.map((a) => ({ ...a, kernelId: owners.get(a.pid) ?? null }));
    const kernelMetrics: KernelMetrics[] = kernels.map((k) => {
      const usage = k.pid ? processes.get(k.pid) : undefined;
      const mine = gpuProcesses?.filter((p) => p.kernelId === k.id);
      return {
        kernelId: k.id,
        user: k.owner,
        notebook: this.directory.notebookOf(k.id),
        pid: k.pid ?? null,
        executionState: k.executionState,
        cpuPercent: usage?.cpuPercent ?? null,
        rssBytes: usage?.rssBytes ?? null,
        gpuMemoryBytes: gpu.status.state === "ok" && mine ? mine.reduce((n, p) => n + (p.usedMemoryBytes ?? 0), 0) : null,
      };
    });
    return { t: Date.now(), system, gpuStatus: gpu.status, gpus: gpu.rows.map(toGpuMetrics), gpuProcesses, kernels: kernelMetrics };
  }

  /** pid → kernel id for the GPU processes, recomputed when the process list or the kernels change. */
  private async gpuOwners(apps: ComputeApp[] | null, roots: Map<number, string>): Promise<Map<number, string>> {
    const rootsKey = [...roots.keys()].join(",");
    if (apps === this.owners.apps && rootsKey === this.owners.roots) return this.owners.byPid;
    const byPid = new Map<number, string>();
    for (const a of apps ?? []) {
      const owner = await ownerOf(a.pid, roots);
      if (owner) byPid.set(a.pid, owner);
    }
    this.owners = { apps, roots: rootsKey, byPid };
    return byPid;
  }
}
