/**
 * The real kernel server as a child process (`apps/kernel-server/dist/cli.js`): any free
 * port, a fresh temporary notebook root and a random token, one per test file.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { cp, mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { trackServer, untrackServer } from "./harness.js";

import { LONG, REPO } from "./constants.js";

export { LONG, REPO };
const CLI = join(REPO, "apps", "kernel-server", "dist", "cli.js");
const WEB_DIST = join(REPO, "apps", "web", "dist");
const PAGE = join(WEB_DIST, "index.html");

/** The limit for one test, so a hung page fails the test instead of stalling the run. */
export const TEST_TIMEOUT = { timeout: 240_000 };

export interface E2EServer {
  /** "http://127.0.0.1:PORT/" */
  base: string;
  origin: string;
  token: string;
  /** The notebook root on disk. */
  root: string;
  /** The URL that logs a browser in, as the server prints it. */
  loginUrl: string;
  /** An absolute URL for a server path ("notebooks/a.ipynb"). */
  url(path: string): string;
  /** fetch with the token header; throws on a non-2xx answer. */
  api(path: string, init?: RequestInit): Promise<Response>;
  /** Everything the server wrote to stderr so far (for failure messages). */
  stderr(): string;
  /** The server process (to read its memory, or to kill it). */
  pid: number;
  close(): Promise<void>;
}

function assertBuilt(): void {
  const missing = [CLI, PAGE].filter((p) => !existsSync(p));
  if (missing.length) {
    throw new Error(`e2e needs the built server and page (missing ${missing.join(", ")}): run \`npm run build\` first`);
  }
}

/** Names and mtimes of the built page's files: equal before and after a copy = a consistent copy. */
async function distStamp(): Promise<string> {
  const names = await readdir(WEB_DIST, { recursive: true });
  const stamps = await Promise.all(names.sort().map(async (n) => `${n}@${(await stat(join(WEB_DIST, n))).mtimeMs}`));
  return stamps.join("|");
}

/**
 * A private copy of apps/web/dist for one server, so a rebuild of the page during a run
 * (vite empties dist first) cannot pull files from under a test.
 */
async function snapshotPage(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "tessera-e2e-page-"));
  for (let attempt = 1; ; attempt++) {
    try {
      const before = await distStamp();
      await rm(dir, { recursive: true, force: true });
      await cp(WEB_DIST, dir, { recursive: true });
      if (existsSync(join(dir, "index.html")) && (await distStamp()) === before) return dir;
    } catch {}
    if (attempt >= 60) throw new Error(`apps/web/dist kept changing (a build running?): could not copy it`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/**
 * Starts `node dist/cli.js --port 0 --root <temp> --token <random> --web-root <copy of
 * apps/web/dist> --quiet` and waits for the URL it prints. With `root`, it serves that folder and leaves it in place on close;
 * `env` replaces the environment (e.g. a PATH with a fake nvidia-smi first); `args` adds flags (e.g. `--base-url /x/`:
 * then `base` and `url()` are under it).
 * @example const server = await startServer(); … await server.close();
 */
export async function startServer(options: { root?: string; env?: NodeJS.ProcessEnv; args?: string[] } = {}): Promise<E2EServer> {
  assertBuilt();
  const root = options.root ?? (await mkdtemp(join(tmpdir(), "tessera-e2e-")));
  const ownsRoot = options.root === undefined;
  const webRoot = await snapshotPage();
  const token = randomBytes(16).toString("hex");
  const args = [
    CLI,
    "--port",
    "0",
    "--ip",
    "127.0.0.1",
    "--root",
    root,
    "--token",
    token,
    "--web-root",
    webRoot,
    "--quiet",
    ...(options.args ?? []),
  ];
  const child = spawn(process.execPath, args, {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...(options.env ?? process.env), BROWSER: "none" },
  });
  let out = "";
  let err = "";
  child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
  const loginUrl = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => fail(new Error(`the server printed no URL within ${LONG} ms; stderr: ${err}`)), LONG);
    const fail = (e: Error) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(e);
    };
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      const m = /(http:\/\/\S+\?token=\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]);
      }
    });
    child.once("exit", (code) => fail(new Error(`the server exited (${code}) before printing its URL; stderr: ${err}`)));
  }).catch(async (e: Error) => {
    await rm(webRoot, { recursive: true, force: true });
    if (ownsRoot) await rm(root, { recursive: true, force: true });
    throw e;
  });
  child.removeAllListeners("exit");
  const u = new URL(loginUrl);
  const base = `${u.origin}${u.pathname}`;

  const api = async (path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    headers.set("authorization", `token ${token}`);
    if (init.body && !headers.has("content-type")) headers.set("content-type", "application/json");
    const res = await fetch(new URL(path.replace(/^\//, ""), base), { ...init, headers });
    if (!res.ok) throw new Error(`${init.method ?? "GET"} ${path}: HTTP ${res.status} ${await res.text()}`);
    return res;
  };

  const server: E2EServer = {
    base,
    origin: u.origin,
    token,
    root,
    loginUrl,
    url: (path) => new URL(path.replace(/^\//, ""), base).href,
    api,
    stderr: () => err,
    pid: child.pid!,
    close: async () => {
      untrackServer(server);
      await stopServer(child, ownsRoot ? root : null);
      await rm(webRoot, { recursive: true, force: true });
    },
  };
  trackServer(server);
  return server;
}

async function stopServer(child: ChildProcess, root: string | null): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    child.kill("SIGTERM");
    // The server shuts its kernels down itself (5 s at most); after that, force it.
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    await exited;
    clearTimeout(timer);
  }
  if (root) await rm(root, { recursive: true, force: true });
}

/** A cell for {@link putNotebook}: code unless it says otherwise. */
export type CellSpec = string | { markdown: string };

/**
 * Writes a notebook through the contents API (nbformat 4.5, kernelspec typescript).
 * @example await putNotebook(server, "a.ipynb", ["1 + 1", { markdown: "# Title" }])
 */
export async function putNotebook(server: E2EServer, path: string, cells: CellSpec[]): Promise<void> {
  const content = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: "typescript", display_name: "TypeScript", language: "typescript" },
      language_info: { name: "typescript" },
    },
    cells: cells.map((c, i) =>
      typeof c === "string"
        ? { id: `cell-${i}`, cell_type: "code", metadata: {}, source: c, outputs: [], execution_count: null }
        : { id: `cell-${i}`, cell_type: "markdown", metadata: {}, source: c.markdown },
    ),
  };
  await server.api(`api/contents/${encodeURI(path)}`, {
    method: "PUT",
    body: JSON.stringify({ type: "notebook", format: "json", content }),
  });
}

/** The .ipynb as it is on disk now. */
export async function readNotebookFile(server: E2EServer, path: string): Promise<NotebookFile> {
  return JSON.parse(await readFile(join(server.root, path), "utf8")) as NotebookFile;
}

export interface NotebookFile {
  nbformat: number;
  cells: Array<{
    id: string;
    cell_type: string;
    source: string | string[];
    execution_count?: number | null;
    outputs?: Array<{ output_type: string; name?: string; text?: string | string[]; data?: Record<string, unknown> }>;
  }>;
}

/** Shuts every kernel down, so one test's kernels do not slow the next on a small machine. */
export async function shutdownKernels(server: E2EServer): Promise<void> {
  const kernels = (await (await server.api("api/kernels")).json()) as Array<{ id: string }>;
  await Promise.all(kernels.map((k) => server.api(`api/kernels/${k.id}`, { method: "DELETE" }).catch(() => undefined)));
}

export const joinText = (t: string | string[] | undefined): string => (Array.isArray(t) ? t.join("") : (t ?? ""));
