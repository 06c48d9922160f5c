import { execFile, spawn, type ChildProcess } from "node:child_process";
import type { GpuStatus } from "@tessera/protocol";
import {
  COMPUTE_APPS_FIELDS,
  GPU_QUERY_FIELDS,
  REQUIRED_GPU_FIELDS,
  describeToolFailure,
  invalidField,
  parseComputeApps,
  parseCudaVersion,
  parseGpuLine,
  type ComputeApp,
  type GpuRow,
} from "./nvidia-smi-parse.js";

export const NO_DRIVER = "no NVIDIA driver found (nvidia-smi is not on PATH)";

export interface GpuSamplerOptions {
  /** The tool (looked up on `env.PATH`). */
  command?: string;
  env?: NodeJS.ProcessEnv;
  /** How often the process list is read. */
  appsIntervalMs?: number;
  /** First restart delay after the tool dies; doubles up to `maxBackoffMs`. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Consecutive failures after which the sampler stops trying (until started again). */
  maxRestarts?: number;
  log?: (level: "info" | "warn" | "error", msg: string) => void;
}

/** What the GPU side knows now. */
export interface GpuSnapshot {
  status: GpuStatus;
  /** Latest row per GPU, in index order (rows not refreshed lately are left out). */
  rows: GpuRow[];
  /** Null until read, or when the last read failed. */
  apps: ComputeApp[] | null;
  appsOk: boolean;
  /** When the process list was last read (or failed to be); null before the first try. */
  appsAt: number | null;
  cudaVersion: string | null;
  /** 0 while the tool runs; its exit code (or -1) after it failed. */
  exitCode: number;
  /** Times the tool failed since this sampler was made. */
  failures: number;
}

/**
 * GPU numbers from ONE long-running `nvidia-smi --query-gpu … -lms <period>` child (not a
 * process per sample) and a `--query-compute-apps` run every couple of seconds. The server
 * never loads NVML itself: native code stays out of the server process.
 *
 * The process list is polled rather than looped: in loop mode an empty list prints
 * nothing, so "no process any more" could not be told from "nothing printed yet".
 */
export class GpuSampler {
  private readonly opts: Required<Omit<GpuSamplerOptions, "log" | "env">> & Pick<GpuSamplerOptions, "log" | "env">;
  private fields: string[] = [...GPU_QUERY_FIELDS];
  private child: ChildProcess | null = null;
  private periodMs = 1000;
  private running = false;
  private rows = new Map<string, { row: GpuRow; at: number }>();
  private status: GpuStatus = { state: "starting", message: null };
  private apps: ComputeApp[] | null = null;
  private appsOk = false;
  private appsBusy = false;
  private appsAt: number | null = null;
  private cudaVersion: string | null = null;
  private exitCode = 0;
  private failures = 0;
  private streak = 0;
  private lastRowAt = 0;
  private spawnedAt = 0;
  private restartTimer: NodeJS.Timeout | null = null;
  private appsTimer: NodeJS.Timeout | null = null;
  private watchdog: NodeJS.Timeout | null = null;

  constructor(options: GpuSamplerOptions = {}) {
    this.opts = { command: "nvidia-smi", appsIntervalMs: 2000, backoffMs: 1000, maxBackoffMs: 60_000, maxRestarts: 8, ...options };
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** The tool's pid while it runs (tests use it to see that nothing is left behind). */
  get childPid(): number | undefined {
    return this.child?.pid;
  }

  start(periodMs: number): void {
    this.periodMs = periodMs;
    if (this.running) return;
    this.running = true;
    this.streak = 0;
    this.status = { state: "starting", message: null };
    this.spawnLoop();
    this.appsTimer = setInterval(() => this.pollApps(), this.opts.appsIntervalMs);
    this.watchdog = setInterval(() => this.checkAlive(), 1000);
    if (this.cudaVersion === null) this.readVersion();
  }

  /** Changes the loop period (the child is restarted with the new `-lms`). */
  setPeriod(periodMs: number): void {
    if (periodMs === this.periodMs) return;
    this.periodMs = periodMs;
    if (this.running && this.child) {
      this.killChild();
      this.spawnLoop();
    }
  }

  stop(): void {
    this.running = false;
    for (const t of [this.restartTimer, this.appsTimer, this.watchdog]) if (t) clearTimeout(t);
    this.restartTimer = this.appsTimer = this.watchdog = null;
    this.killChild();
    this.rows.clear();
    this.apps = null;
    this.appsAt = null;
  }

  snapshot(now = Date.now()): GpuSnapshot {
    const fresh = Math.max(5000, this.periodMs * 5);
    const rows = [...this.rows.values()].filter((r) => now - r.at <= fresh).map((r) => r.row);
    rows.sort((a, b) => Number(a.index) - Number(b.index));
    return {
      status: this.status,
      rows,
      apps: this.apps,
      appsOk: this.appsOk,
      appsAt: this.appsAt,
      cudaVersion: this.cudaVersion,
      exitCode: this.exitCode,
      failures: this.failures,
    };
  }

  private spawnLoop(): void {
    this.restartTimer = null;
    if (!this.running) return;
    const fields = this.fields;
    const args = [`--query-gpu=${fields.join(",")}`, "--format=csv,noheader,nounits", "-lms", String(this.periodMs)];
    let child: ChildProcess;
    try {
      child = spawn(this.opts.command, args, { stdio: ["ignore", "pipe", "pipe"], env: this.opts.env ?? process.env });
    } catch (err) {
      this.fail(`cannot start nvidia-smi: ${(err as Error).message}`, -1, false);
      return;
    }
    this.child = child;
    this.spawnedAt = this.lastRowAt = Date.now();
    let partial = "";
    let messages = "";
    const keep = (t: string) => (messages = (messages + t).slice(-4000));
    child.stdout!.setEncoding("utf8");
    child.stderr!.setEncoding("utf8");
    child.stdout!.on("data", (chunk: string) => {
      partial += chunk;
      let nl: number;
      while ((nl = partial.indexOf("\n")) >= 0) {
        const line = partial.slice(0, nl);
        partial = partial.slice(nl + 1);
        const row = parseGpuLine(fields, line);
        if (row) this.take(row);
        else if (line.trim()) keep(line + "\n");
      }
      if (partial.length > 64 * 1024) partial = ""; // no newline in 64 KiB: not our output
    });
    child.stderr!.on("data", keep);
    child.on("error", (err: NodeJS.ErrnoException) => {
      if (this.child !== child) return;
      this.child = null;
      if (err.code === "ENOENT") {
        this.status = { state: "unavailable", message: NO_DRIVER };
        this.exitCode = -1;
        this.rows.clear();
      } else this.fail(`cannot run nvidia-smi: ${err.message}`, -1, true);
    });
    child.on("close", (code, signal) => {
      if (this.child !== child) return; // replaced on purpose (stop, new period)
      this.child = null;
      if (!this.running) return;
      if (partial.trim()) keep(partial);
      const bad = invalidField(messages);
      if (bad && !REQUIRED_GPU_FIELDS.has(bad) && this.fields.includes(bad)) {
        this.opts.log?.("info", `nvidia-smi does not know the field ${bad}; asking without it`);
        this.fields = this.fields.filter((f) => f !== bad);
        this.spawnLoop();
        return;
      }
      this.fail(describeToolFailure(messages, code, signal), code ?? -1, true);
    });
  }

  private take(row: GpuRow): void {
    this.rows.set(row.uuid ?? row.index, { row, at: Date.now() });
    this.lastRowAt = Date.now();
    // A tool that prints a row and dies each time still backs off and gives up.
    if (this.lastRowAt - this.spawnedAt > 10_000) this.streak = 0;
    this.exitCode = 0;
    if (this.status.state !== "ok") {
      this.status = { state: "ok", message: null };
      this.pollApps();
    }
  }

  /** The tool failed: say why, forget its rows, and try again later (bounded). */
  private fail(message: string, code: number, retry: boolean): void {
    this.failures++;
    this.streak++;
    this.exitCode = code;
    this.rows.clear();
    this.apps = null;
    this.appsOk = false;
    this.opts.log?.("warn", `nvidia-smi: ${message}`);
    if (!retry || !this.running || this.streak > this.opts.maxRestarts) {
      this.status = { state: "error", message: retry && this.running ? `${message} (gave up after ${this.streak - 1} restarts)` : message };
      return;
    }
    const delay = Math.min(this.opts.backoffMs * 2 ** (this.streak - 1), this.opts.maxBackoffMs);
    this.status = { state: "error", message };
    this.restartTimer = setTimeout(() => this.spawnLoop(), delay);
  }

  /** A tool that hangs (a wedged driver) is killed, which counts as a failure. */
  private checkAlive(): void {
    if (!this.child) return;
    const silentMs = Date.now() - this.lastRowAt;
    if (silentMs > Math.max(10_000, this.periodMs * 5)) {
      const child = this.child;
      this.child = null;
      if (child.pid !== undefined) child.kill("SIGKILL"); // see killChild
      this.fail(`nvidia-smi printed nothing for ${Math.round(silentMs / 1000)} s`, -1, true);
    }
  }

  private killChild(): void {
    const child = this.child;
    this.child = null;
    // Only a child with a pid is signalled: a spawn that failed (no nvidia-smi: ENOENT, reported a
    // tick later) leaves pid undefined, and Node's kill() on that child signals pid 0, the server's
    // whole process group.
    if (child && child.pid !== undefined && child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
  }

  private pollApps(): void {
    if (!this.running || this.appsBusy || this.status.state !== "ok") return;
    this.appsBusy = true;
    const args = [`--query-compute-apps=${COMPUTE_APPS_FIELDS.join(",")}`, "--format=csv,noheader,nounits"];
    execFile(this.opts.command, args, { env: this.opts.env ?? process.env, timeout: 10_000, maxBuffer: 1024 * 1024 }, (err, stdout) => {
      this.appsBusy = false;
      if (!this.running) return;
      this.appsAt = Date.now();
      if (err) {
        this.appsOk = false;
        this.apps = null;
        return;
      }
      this.apps = parseComputeApps(stdout);
      this.appsOk = true;
    });
  }

  private readVersion(): void {
    execFile(this.opts.command, ["--version"], { env: this.opts.env ?? process.env, timeout: 10_000 }, (err, stdout) => {
      if (!err) this.cudaVersion = parseCudaVersion(stdout) ?? "";
    });
  }
}
