/**
 * The page's one subscription to `WS /api/tessera/metrics` (see docs/metrics.md), shared
 * by the resource panel and the notebook header.
 *
 * - It streams only while wanted (the panel is open and the tab visible): `subscribe` at
 *   1 s brings the last ten minutes (`history`), then a `sample` a second; when no longer
 *   wanted it sends `unsubscribe` at once (the server stops sampling when nobody watches)
 *   and closes the socket if it stays unwanted a while.
 * - A dropped socket reconnects with the document client's backoff (0.5 s doubling to
 *   10 s, with jitter); a stream silent for 15 s counts as dropped (a dead tunnel).
 * - Auth is the login cookie, as for every socket of the page.
 */
import { METRICS_DEFAULT_INTERVAL_MS, type MetricsClientMessage, type MetricsSample, type MetricsServerMessage } from "@tessera/protocol";
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from "../channel/backoff.js";
import { RetryTimer, Watchdog } from "../channel/liveness.js";
import type { SocketLike, Timers } from "../channel/types.js";
import { MetricsHistory } from "./metrics-history.js";

export interface MetricsClientOptions {
  url: () => string;
  createSocket: (url: string) => SocketLike;
  timers?: Timers;
  now?: () => number;
  backoff?: BackoffOptions;
  /** Sample rate asked for while wanted (default 1000 ms). */
  intervalMs?: number;
  /** How long an unwanted socket stays open (a tab switched back soon reuses it). */
  lingerMs?: number;
  /** Silence that counts as a dead connection while streaming. */
  silentMs?: number;
}

export interface MetricsState {
  /** "open": streaming (history received); "idle": not wanted; else on the way. */
  status: "idle" | "connecting" | "open" | "reconnecting";
  /** The newest sample, kept (but stale) after the stream stops. */
  latest: MetricsSample | null;
  /** Changes with every history or sample (the history object itself is mutated). */
  version: number;
  /** When the next reconnect attempt starts (epoch ms), while one is scheduled. */
  retryAt: number | null;
  /** The server's last `error` message, if any. */
  error: string | null;
}

const SOCKET_OPEN = 1;

export class MetricsClient {
  readonly history = new MetricsHistory();
  private readonly opts: Required<MetricsClientOptions>;
  private socket: SocketLike | null = null;
  private wanted = false;
  /** A history arrived on the current subscription: samples may be appended. */
  private live = false;
  private lingerHandle: unknown = null;
  private readonly retry: RetryTimer;
  private readonly watchdog: Watchdog;
  private readonly listeners = new Set<() => void>();
  private state: MetricsState = { status: "idle", latest: null, version: 0, retryAt: null, error: null };

  constructor(options: MetricsClientOptions) {
    this.opts = {
      timers: { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as number) },
      now: Date.now,
      backoff: DEFAULT_BACKOFF,
      intervalMs: METRICS_DEFAULT_INTERVAL_MS,
      lingerMs: 30_000,
      silentMs: 15_000,
      ...options,
    };
    this.retry = new RetryTimer(this.opts.timers, this.opts.now);
    this.watchdog = new Watchdog(this.opts.timers, this.opts.now, this.opts.silentMs, Math.min(5000, this.opts.silentMs));
  }

  getState = (): MetricsState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Whether the stream is wanted now (panel open and tab visible). */
  setWanted(wanted: boolean): void {
    if (wanted === this.wanted) return;
    this.wanted = wanted;
    if (wanted) {
      this.clearLinger();
      if (this.socket) {
        if (this.socket.readyState === SOCKET_OPEN) this.sendSubscribe();
      } else {
        this.retry.clear();
        this.retry.attempt = 0;
        this.connect();
      }
    } else {
      this.live = false;
      this.watchdog.stop();
      this.retry.clear();
      this.send({ type: "unsubscribe" });
      if (this.socket) {
        this.clearLinger();
        this.lingerHandle = this.opts.timers.setTimeout(() => {
          this.lingerHandle = null;
          if (!this.wanted) this.closeSocket();
        }, this.opts.lingerMs);
      }
    }
    this.emit();
  }

  /** Reconnects now instead of waiting for the backoff timer (the page came back online). */
  retryNow(): void {
    if (!this.wanted || this.socket) return;
    this.retry.clear();
    this.connect();
  }

  /** Closes everything (the page goes away). */
  stop(): void {
    this.wanted = false;
    this.live = false;
    this.retry.clear();
    this.watchdog.stop();
    this.clearLinger();
    this.closeSocket();
    this.emit();
  }

  private connect(): void {
    const ws = this.opts.createSocket(this.opts.url());
    this.socket = ws;
    this.live = false;
    ws.onopen = () => {
      if (ws === this.socket && this.wanted) this.sendSubscribe();
    };
    ws.onmessage = (ev) => {
      if (ws !== this.socket) return;
      this.watchdog.heard();
      let msg: MetricsServerMessage;
      try {
        msg = JSON.parse(String(ev.data)) as MetricsServerMessage;
      } catch {
        return;
      }
      this.handle(msg);
    };
    ws.onclose = () => {
      if (ws === this.socket) this.onClosed();
    };
    ws.onerror = () => {};
    this.watch();
    this.emit();
  }

  private watch(): void {
    this.watchdog.start(
      () => {
        const ws = this.socket;
        this.dropSocket();
        ws?.close(4001, "no samples");
        this.onClosed();
      },
      () => this.socket !== null && this.wanted,
    );
  }

  private sendSubscribe(): void {
    this.send({ type: "subscribe", intervalMs: this.opts.intervalMs });
    this.watch();
  }

  private handle(msg: MetricsServerMessage): void {
    switch (msg.type) {
      case "history":
        if (!this.wanted) return;
        this.history.load(msg, msg.windowMs);
        this.live = true;
        this.retry.attempt = 0;
        this.state = { ...this.state, latest: msg.latest ?? this.state.latest, error: null };
        break;
      case "sample":
        if (!this.live) return;
        this.history.append(msg.sample);
        this.state = { ...this.state, latest: msg.sample };
        break;
      case "error":
        this.state = { ...this.state, error: msg.message };
        break;
      default:
        return;
    }
    this.emit(true);
  }

  private onClosed(): void {
    this.dropSocket();
    if (this.wanted) this.retry.schedule(backoffDelay(this.retry.attempt, this.opts.backoff), () => this.retryNow());
    this.emit();
  }

  private dropSocket(): void {
    const ws = this.socket;
    this.socket = null;
    this.live = false;
    this.watchdog.stop();
    if (ws) ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
  }

  private closeSocket(): void {
    const ws = this.socket;
    this.dropSocket();
    ws?.close(1000, "not watching");
  }

  private clearLinger(): void {
    if (this.lingerHandle !== null) this.opts.timers.clearTimeout(this.lingerHandle);
    this.lingerHandle = null;
  }

  private send(msg: MetricsClientMessage): void {
    const ws = this.socket;
    if (!ws || ws.readyState !== SOCKET_OPEN) return;
    try {
      ws.send(JSON.stringify(msg));
    } catch {}
  }

  private emit(data = false): void {
    const status: MetricsState["status"] = !this.wanted
      ? "idle"
      : this.live
        ? "open"
        : this.retry.attempt > 0
          ? "reconnecting"
          : "connecting";
    this.state = { ...this.state, status, retryAt: this.retry.at, version: data ? this.state.version + 1 : this.state.version };
    for (const l of this.listeners) l();
  }
}
