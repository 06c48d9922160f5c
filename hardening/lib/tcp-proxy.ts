/**
 * A TCP proxy (node:net) in front of the server, standing in for an SSH tunnel that can be
 * cut. `cut()` destroys every connection through it and then either refuses new ones (the
 * tunnel process is gone: nothing listens on the port) or black-holes them (the tunnel
 * process is alive but its far end is not: connections are accepted and nothing is ever
 * forwarded). `restore()` forwards again; black-holed connections stay dead and are closed
 * then, as a restarted tunnel does. With `slow`, it is also a slow link: every chunk is
 * delayed by a latency and paced to a bandwidth, each way (Chromium's own throttling leaves
 * WebSocket frames alone; this does not).
 */
import { createServer, connect, type Server, type Socket } from "node:net";

export type CutMode = "refuse" | "blackhole";

export interface ProxyCounts {
  /** Connections forwarded to the server. */
  forwarded: number;
  /** Connections cut while forwarding. */
  cut: number;
  /** Connections accepted and never forwarded (black hole). */
  blackholed: number;
}

/** A slow link, each way: a chunk arrives `latencyMs` after it was sent, at `bytesPerSec` at most. */
export interface SlowLink {
  latencyMs: number;
  bytesPerSec: number;
}

export class TcpProxy {
  readonly counts: ProxyCounts = { forwarded: 0, cut: 0, blackholed: 0 };
  private readonly pairs = new Set<[Socket, Socket]>();
  /** Connections in the black hole, with the first line they sent ("GET /path HTTP/1.1"). */
  private readonly held = new Map<Socket, string>();
  private mode: "open" | CutMode = "open";
  private server: Server | null = null;

  private constructor(
    private readonly targetPort: number,
    readonly port: number,
    private readonly slow: SlowLink | null,
  ) {}

  /** Listens on 127.0.0.1 (any free port) and forwards to 127.0.0.1:targetPort. */
  static async start(targetPort: number, slow: SlowLink | null = null): Promise<TcpProxy> {
    const probe = createServer();
    const port = await new Promise<number>((resolve, reject) => {
      probe.once("error", reject);
      probe.listen(0, "127.0.0.1", () => resolve((probe.address() as { port: number }).port));
    });
    await new Promise<void>((r) => probe.close(() => r()));
    const proxy = new TcpProxy(targetPort, port, slow);
    await proxy.listen();
    return proxy;
  }

  /** Connections forwarding now. */
  get live(): number {
    return this.pairs.size;
  }

  /** Connections held in the black hole now. */
  get holding(): number {
    return this.held.size;
  }

  /** The request lines of the connections held in the black hole now ("" for one that sent nothing yet). */
  heldRequests(): string[] {
    return [...this.held.values()];
  }

  /** "http://127.0.0.1:PORT": the origin a browser sees through the tunnel. */
  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Cuts the tunnel: every connection through it dies, new ones are refused or black-holed. */
  async cut(mode: CutMode): Promise<void> {
    this.mode = mode;
    for (const [client, upstream] of this.pairs) {
      client.destroy();
      upstream.destroy();
      this.counts.cut++;
    }
    this.pairs.clear();
    if (mode === "refuse") await this.unlisten();
  }

  /** The tunnel is back: new connections are forwarded; those held in the black hole are closed. */
  async restore(): Promise<void> {
    this.mode = "open";
    for (const s of this.held.keys()) s.destroy();
    this.held.clear();
    if (!this.server) await this.listen();
  }

  async close(): Promise<void> {
    await this.cut("refuse");
    for (const s of this.held.keys()) s.destroy();
    this.held.clear();
  }

  private listen(): Promise<void> {
    const server = createServer((client) => this.accept(client));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
  }

  private unlisten(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return Promise.resolve();
    return new Promise((resolve) => server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    client.on("error", () => {});
    if (this.mode !== "open") {
      // A dead tunnel's far end: the connection is accepted, read, and goes nowhere.
      this.counts.blackholed++;
      this.held.set(client, "");
      client.on("data", (chunk: Buffer) => {
        if (this.held.get(client) === "") this.held.set(client, chunk.toString("latin1").split("\r\n")[0]);
      });
      client.once("close", () => this.held.delete(client));
      return;
    }
    this.counts.forwarded++;
    const upstream = connect(this.targetPort, "127.0.0.1");
    upstream.on("error", () => {});
    const pair: [Socket, Socket] = [client, upstream];
    this.pairs.add(pair);
    this.forward(client, upstream);
    this.forward(upstream, client);
    const done = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.once("close", done);
    upstream.once("close", done);
  }

  /** Copies one direction, through the slow link if there is one (in order: delivery times never decrease). */
  private forward(from: Socket, to: Socket): void {
    const slow = this.slow;
    if (!slow) {
      from.pipe(to);
      return;
    }
    let last = 0;
    let pending = 0;
    let ended = false;
    from.on("data", (chunk: Buffer) => {
      const at = Math.max(Date.now() + slow.latencyMs, last) + (chunk.length * 1000) / slow.bytesPerSec;
      last = at;
      pending++;
      setTimeout(() => {
        pending--;
        if (!to.destroyed) to.write(chunk);
        if (ended && pending === 0) to.end();
      }, at - Date.now());
    });
    from.once("end", () => {
      ended = true;
      if (pending === 0) to.end();
    });
  }
}
