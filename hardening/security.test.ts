/**
 * The server's side of the threat model (docs/security.md), against the real command-line
 * server: what apps/kernel-server/test/security.test.ts and its neighbours do not already
 * prove. Each `it` is named after the threat-model point it proves. No browser here (see
 * browser-xss.test.ts); requests are made with node:http, which, unlike fetch, lets a test
 * forge the Host and Origin headers a hostile page or a rebound DNS name would produce.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from "node:fs/promises";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { hashPassword } from "../apps/kernel-server/src/auth/password-hash.js";
import { openSocket, request, waitFor } from "../apps/kernel-server/test/helpers/raw-socket.js";
import { LONG, REPO, startServer, type E2EServer } from "../e2e/lib/server.js";
import { report, size } from "./lib/mode.js";

const CLI = join(REPO, "apps", "kernel-server", "dist", "cli.js");
const GiB = 1024 ** 3;

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request with exactly these headers (Host and Origin included), body read whole. */
function raw(
  base: string,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawResponse> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path, method: init.method ?? "GET", headers: init.headers }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end(init.body);
  });
}

/** The serialized headers and body of a response, to search for a secret in all of it. */
const everything = (r: RawResponse) => `${JSON.stringify(r.headers)}\n${r.body}`;

/** What a browser holds after opening the printed URL: the cookie header it will send, and the `_xsrf` value. */
async function browserLogin(base: string, token: string): Promise<{ cookie: string; xsrf: string }> {
  const res = await raw(base, `/?token=${token}`);
  assert.equal(res.status, 302, "a page load with ?token= logs the browser in");
  const pairs = (res.headers["set-cookie"] ?? []).map((c) => c.split(";")[0]);
  const xsrf = pairs.find((p) => p.startsWith("_xsrf="));
  assert.ok(xsrf && pairs.some((p) => p.startsWith("tessera-auth-")), `login cookies: ${pairs.join(", ")}`);
  return { cookie: pairs.join("; "), xsrf: decodeURIComponent(xsrf.slice("_xsrf=".length)) };
}

/** Resolves with the HTTP status of a WebSocket handshake: 101 when it opened (then closed), else the refusal's. */
async function upgradeStatus(url: string, headers: Record<string, string>): Promise<number> {
  try {
    const ws = await openSocket(url, { headers });
    ws.close();
    return 101;
  } catch (err) {
    const m = /HTTP (\d+)/.exec((err as Error).message);
    if (!m) throw err;
    return Number(m[1]);
  }
}

interface SpawnedServer {
  base: string;
  origin: string;
  port: string;
  root: string;
  stdout(): string;
  stderr(): string;
  /** Stops the server (SIGTERM, as Ctrl+C would) and waits until it has exited and its output is in. */
  close(): Promise<void>;
}

/**
 * The command-line server as e2e/lib/server.ts starts it, but with its stdout kept (the
 * request log goes there, and startServer does not expose it) and any token, an empty
 * one included (auth off). The page is a stub: these tests need its headers, not its code.
 */
async function spawnServer(token: string, env: NodeJS.ProcessEnv = process.env): Promise<SpawnedServer> {
  const root = await mkdtemp(join(tmpdir(), "tessera-sec-"));
  const webRoot = join(root, ".web");
  await writeFile(join(root, "a.ipynb"), JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [] }));
  await mkdir(webRoot);
  await writeFile(join(webRoot, "index.html"), "<!doctype html><html><head></head><body>stub page</body></html>");
  const child = spawn(
    process.execPath,
    [CLI, "--port", "0", "--ip", "127.0.0.1", "--root", root, "--token", token, "--web-root", webRoot, "--quiet"],
    {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...env, BROWSER: "none" },
    },
  );
  let out = "";
  let err = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
  const exited = new Promise<void>((r) => child.once("close", () => r()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL within ${LONG} ms; stderr: ${err}`)), LONG);
    const check = () => {
      // The URL line: "http://127.0.0.1:PORT/", with "?token=…" when there is a token.
      const m = /^\s*(http:\/\/\S+?\/)(?:\?token=\S*)?\s*$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.on("data", check);
    void exited.then(() => reject(new Error(`the server exited before printing its URL; stderr: ${err}`)));
  });
  const u = new URL(url);
  return {
    base: url,
    origin: u.origin,
    port: u.port,
    root,
    stdout: () => out,
    stderr: () => err,
    close: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** Resident memory of a process, in bytes (Linux). */
async function rssBytes(pid: number): Promise<number> {
  const m = /VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) * 1024 : 0;
}

describe("security: the threat model's server-side points", { timeout: 300_000 }, () => {
  let server: E2EServer;
  let kernelId: string;
  const ws = () => server.base.replace(/^http/, "ws");

  before(async () => {
    server = await startServer();
    const res = await server.api("api/kernels", { method: "POST", body: JSON.stringify({ name: "typescript" }) });
    kernelId = ((await res.json()) as { id: string }).id;
  });
  after(async () => {
    await server?.api(`api/kernels/${kernelId}`, { method: "DELETE" }).catch(() => undefined);
    await server?.close();
  });

  it("token leaks (logs): the token never reaches stdout or stderr, even at TESSERA_LOG_LEVEL=debug", async () => {
    const token = randomBytes(24).toString("hex");
    // A near miss (the token and one more character) is how a typo looks: it must not be logged either.
    const wrong = `${token}0`;
    const s = await spawnServer(token, { ...process.env, TESSERA_LOG_LEVEL: "debug" });
    let sent = 0;
    try {
      const { base, port } = s;
      const long = "k".repeat(150);
      const requests: Array<[string, Parameters<typeof raw>[2]?]> = [
        // Page loads that swap the token for a cookie, API reads with it in the query, and secrets beside it.
        [`/?token=${token}`],
        [`/tree/sub?x=1&token=${token}`],
        [`/notebooks/a.ipynb?token=${token}`],
        [`/.//evil.example?token=${token}`],
        [`/api/status?token=${token}`],
        [`/api/contents?token=${token}&_xsrf=${token}&password=${token}`],
        // Wrong tokens (three, then a right one resets the rate limit's count).
        [`/api/status?token=${wrong}`],
        [`/tree?token=${wrong}`],
        ["/api/status", { headers: { authorization: `token ${wrong}` } }],
        ["/api/status", { headers: { authorization: `token ${token}` } }],
        // Errors: not found, malformed URLs and bodies, refused Host and Origin, a form login.
        [`/api/nope?token=${token}`],
        [`/api/contents/missing.txt?token=${token}`],
        [`/api/kernels/not-a-kernel?token=${token}`],
        [`/api/contents/%E0%A4%A?token=${token}`],
        [`/api/kernels/${long}?token=${token}`],
        [`/files/missing.txt?token=${token}`],
        [`/api/sessions?token=${token}`, { method: "POST", headers: { "content-type": "application/json" }, body: "{oops" }],
        [`/api/status?token=${token}`, { headers: { host: `evil.example:${port}` } }],
        [
          `/api/contents?token=${token}`,
          { method: "POST", headers: { origin: "http://evil.example", "content-type": "application/json" }, body: '{"type":"directory"}' },
        ],
        ["/login", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: `token=${wrong}` }],
        ["/login", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: `token=${token}` }],
      ];
      // WebSocket upgrades carry the token in the query (browsers cannot set headers on them).
      const wsBase = base.replace(/^http/, "ws");
      const sockets: Array<[string, Record<string, string>]> = [
        [`${wsBase}api/tessera/metrics?token=${token}`, {}],
        [`${wsBase}api/tessera/documents?path=a.ipynb&token=${token}`, {}],
        [`${wsBase}api/kernels/not-a-kernel/channels?token=${token}`, {}],
        [`${wsBase}api/tessera/metrics?token=${token}`, { origin: "http://evil.example" }],
      ];
      for (const [path, init] of requests) await raw(base, path, init).then(() => sent++);
      for (const [url, headers] of sockets) await upgradeStatus(url, headers).then(() => sent++);
    } finally {
      await s.close();
    }
    const stdout = s.stdout();
    const stderr = s.stderr();
    const lines = stdout.split("\n");
    // The request log really was on: otherwise "no token in it" would prove nothing.
    const logged = lines.filter((l) => l.includes('"incoming request"'));
    assert.ok(
      logged.length >= sent,
      `expected a log line for each of the ${sent} requests, got ${logged.length}:\n${stdout.slice(0, 2000)}`,
    );
    assert.ok(
      logged.some((l) => l.includes("token=[redacted]")),
      "URLs with a token are logged, redacted",
    );
    // The one place the token belongs: the login URL printed at start, for the person who started the server.
    const withToken = lines.filter((l) => l.includes(token));
    assert.deepEqual(
      withToken.map((l) => l.trim()),
      [`${s.base}?token=${token}`],
      "only the printed login URL holds the token",
    );
    assert.ok(!stderr.includes(token), `stderr holds the token:\n${stderr}`);
  });

  it("token leaks (kernels): a kernel's environment holds neither the token nor the password hash", async (t) => {
    const token = randomBytes(24).toString("hex");
    const passwordHash = await hashPassword("a password");
    // Given the way Docker and systemd units give them: in the environment, which kernels would inherit.
    const s = await spawnServer(token, { ...process.env, TESSERA_TOKEN: token, TESSERA_PASSWORD_HASH: passwordHash });
    try {
      const auth = { authorization: `token ${token}` };
      const made = await raw(s.base, "/api/kernels", {
        method: "POST",
        headers: { ...auth, "content-type": "application/json" },
        body: '{"name":"typescript"}',
      });
      assert.equal(made.status, 201, made.body);
      const id = (JSON.parse(made.body) as { id: string }).id;
      const ws = await openSocket(`${s.base.replace(/^http/, "ws")}api/kernels/${id}/channels?token=${token}&session_id=sec`);
      const code = [
        `const secrets = [${JSON.stringify(token)}, ${JSON.stringify(passwordHash)}];`,
        `const env = Object.entries(process.env).filter(([k, v]) => /^TESSERA_(TOKEN|PASSWORD)/.test(k) || secrets.some((x) => (v ?? "").includes(x)));`,
        `let argv = "unreadable";`,
        `try { argv = require("node:fs").readFileSync("/proc/" + process.ppid + "/cmdline", "utf8").includes(secrets[0]) ? "holds the token" : "clean"; } catch {}`,
        `console.log(JSON.stringify({ env: env.map(([k]) => k), argv }));`,
      ].join("\n");
      const run = request("execute_request", { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false });
      ws.send(run.frame);
      const out = await waitFor(ws, (m) => m.parent_header?.msg_id === run.msgId && ["stream", "error"].includes(m.header?.msg_type), LONG);
      ws.close();
      assert.equal(out.header.msg_type, "stream", JSON.stringify(out.content));
      const seen = JSON.parse(out.content.text) as { env: string[]; argv: string };
      assert.deepEqual(seen.env, [], "no environment variable of the kernel holds a secret");
      // Not defended (docs/security.md): a kernel runs as the server's user and can read its command line.
      t.diagnostic(`the server's command line, as a kernel reads it: ${seen.argv}`);
      await raw(s.base, `/api/kernels/${id}`, { method: "DELETE", headers: auth });
    } finally {
      await s.close();
    }
  });

  it("token leaks (Referer, redirects): a page load with ?token= redirects to the URL without it and sets Referrer-Policy: no-referrer", async () => {
    const { token, base } = server;
    const cases: Array<[string, string]> = [
      [`/?token=${token}`, "/"],
      [`/tree/sub%20dir?x=1&token=${token}&y=2`, "/tree/sub%20dir?x=1&y=2"],
      [`/notebooks/a.ipynb?token=${token}`, "/notebooks/a.ipynb"],
      // "/.//evil.example" normalizes to the path "//evil.example", which as a Location is another site.
      [`/.//evil.example?token=${token}`, "/evil.example"],
    ];
    for (const [path, clean] of cases) {
      const res = await raw(base, path);
      assert.equal(res.status, 302, path);
      assert.equal(res.headers.location, clean, `${path} redirects to the same address without the token`);
      assert.equal(res.headers["referrer-policy"], "no-referrer", `${path}: the redirect sends no Referer onwards`);
      assert.equal(res.headers["cache-control"], "no-store", `${path}: the redirect is not cached`);
      assert.ok(!everything(res).includes(token), `${path}: the answer does not carry the token`);
    }
    // The page the browser lands on: no Referer leaves it either (links in notebooks, images in outputs).
    const { cookie } = await browserLogin(base, token);
    for (const path of ["/", "/tree", "/notebooks/a.ipynb"]) {
      const page = await raw(base, path, { headers: { cookie } });
      assert.equal(page.status, 200, path);
      assert.equal(page.headers["referrer-policy"], "no-referrer", `${path} is served with Referrer-Policy: no-referrer`);
    }
  });

  it("clickjacking: the page may be framed by its own origin only, and raw files never run in it", async () => {
    const { cookie } = await browserLogin(server.base, server.token);
    for (const path of ["/", "/tree", "/notebooks/a.ipynb", "/admin"]) {
      const page = await raw(server.base, path, { headers: { cookie } });
      assert.equal(page.headers["x-frame-options"], "SAMEORIGIN", `${path} cannot be framed by another site`);
      assert.equal(page.headers["x-content-type-options"], "nosniff", path);
    }
    // A user's HTML or SVG file opened from the file list: served in an opaque origin, not the page's.
    await writeFile(join(server.root, "page.svg"), '<svg xmlns="http://www.w3.org/2000/svg" onload="parent.x=1"/>');
    const file = await raw(server.base, "/files/page.svg", { headers: { cookie } });
    assert.equal(file.status, 200);
    assert.equal(file.headers["content-security-policy"], "sandbox");
    assert.equal(file.headers["x-content-type-options"], "nosniff");
  });

  it("token leaks (error pages): 404s, errors and refusals do not echo the token", async () => {
    const { token, base } = server;
    const port = new URL(base).port;
    const wrong = `${token}0`;
    const cases: Array<[string, number, Parameters<typeof raw>[2]?]> = [
      [`/api/nope?token=${token}`, 404],
      [`/api/contents/missing.txt?token=${token}`, 404],
      [`/api/kernels/not-a-kernel?token=${token}`, 404],
      [`/api/sessions/not-a-session?token=${token}`, 404],
      // Fastify answers these before routing; its own answer quoted the URL, query and all.
      [`/api/contents/%E0%A4%A?token=${token}`, 400],
      [`/api/kernels/${"k".repeat(150)}?token=${token}`, 414],
      [`/api/sessions?token=${token}`, 400, { method: "POST", headers: { "content-type": "application/json" }, body: "{oops" }],
      [`/api/status?token=${token}`, 403, { headers: { host: `evil.example:${port}` } }],
      [`/api/kernels?token=${token}`, 403, { method: "POST", headers: { origin: "http://evil.example" } }],
      [`/api/status?token=${wrong}`, 403],
      ["/login", 403, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: `token=${wrong}` }],
      // A right token afterwards clears the two failures above from the rate limit's count.
      [`/api/status?token=${token}`, 200],
    ];
    for (const [path, status, init] of cases) {
      const res = await raw(base, path, init);
      const what = `${init?.method ?? "GET"} ${path.replace(token, "<token>")}`;
      assert.equal(res.status, status, `${what}: ${res.body.slice(0, 200)}`);
      assert.ok(!everything(res).includes(token), `${what} echoes the token: ${res.body.slice(0, 300)}`);
      if (status >= 400 && res.headers["content-type"]?.includes("json")) {
        assert.ok((JSON.parse(res.body) as { message?: string }).message, `${what} still says what is wrong`);
      }
    }
  });

  it("CSRF/XSRF: cookie-authenticated writes without X-XSRFToken are refused (REST and the contents API)", async () => {
    const { base, origin, token, root } = server;
    const { cookie, xsrf } = await browserLogin(base, token);
    await writeFile(join(root, "victim.txt"), "keep me");
    const json = { "content-type": "application/json" };
    // Same-origin (so only the XSRF check is tested): what a page on the same origin without the _xsrf value could send.
    const writes: Array<[string, string, string?]> = [
      ["POST", "/api/kernels", '{"name":"typescript"}'],
      ["DELETE", `/api/kernels/${kernelId}`],
      ["POST", `/api/kernels/${kernelId}/interrupt`],
      ["POST", "/api/sessions", '{"path":"x.ipynb","type":"notebook","kernel":{"name":"typescript"}}'],
      ["PUT", "/api/contents/csrf.txt", '{"type":"file","format":"text","content":"planted"}'],
      ["POST", "/api/contents", '{"type":"directory"}'],
      ["PATCH", "/api/contents/victim.txt", '{"path":"moved.txt"}'],
      ["DELETE", "/api/contents/victim.txt"],
      ["POST", "/api/contents/victim.txt/checkpoints"],
    ];
    const kernelsBefore = ((await (await server.api("api/kernels")).json()) as unknown[]).length;
    for (const xsrfHeader of [undefined, "wrong-value", ""]) {
      for (const [method, path, body] of writes) {
        const headers: Record<string, string> = { cookie, origin, ...json };
        if (xsrfHeader !== undefined) headers["x-xsrftoken"] = xsrfHeader;
        const res = await raw(base, path, { method, headers, body });
        assert.equal(res.status, 403, `${method} ${path} with X-XSRFToken ${JSON.stringify(xsrfHeader)}: ${res.body}`);
        assert.match(res.body, /_xsrf/);
      }
    }
    // The header without the cookie it must match (a cookie jar without _xsrf) is refused too.
    const authOnly = cookie
      .split("; ")
      .filter((c) => !c.startsWith("_xsrf="))
      .join("; ");
    assert.equal(
      (
        await raw(base, "/api/contents", {
          method: "POST",
          headers: { cookie: authOnly, origin, ...json, "x-xsrftoken": xsrf },
          body: '{"type":"directory"}',
        })
      ).status,
      403,
    );
    // Nothing happened.
    assert.equal(await readFile(join(root, "victim.txt"), "utf8"), "keep me");
    await assert.rejects(stat(join(root, "csrf.txt")), /ENOENT/);
    await assert.rejects(stat(join(root, "moved.txt")), /ENOENT/);
    assert.equal(((await (await server.api("api/kernels")).json()) as unknown[]).length, kernelsBefore, "no kernel was started or stopped");
    // The same write with the header is accepted: the refusals above were the XSRF check.
    const ok = await raw(base, "/api/contents/csrf.txt", {
      method: "PUT",
      headers: { cookie, origin, ...json, "x-xsrftoken": xsrf },
      body: '{"type":"file","format":"text","content":"mine"}',
    });
    assert.equal(ok.status, 201, ok.body);
  });

  it("CSRF: a cross-site form POST (Origin: http://evil.example) is refused, the login form included", async () => {
    const { base, token, root } = server;
    const { cookie, xsrf } = await browserLogin(base, token);
    const port = new URL(base).port;
    // What another site's <form> can send: urlencoded, or text/plain smuggling a JSON body. The
    // cookie is sent as a browser without SameSite would; even the right _xsrf (in the query,
    // as Jupyter accepts it) does not help, because the Origin is checked first.
    const forms: Array<[string, string]> = [
      ["application/x-www-form-urlencoded", "type=directory"],
      ["text/plain", '{"type":"directory","pad":"="}'],
    ];
    // evil.example; a sandboxed frame or a data: page (Origin: null); another port on this
    // machine (same site, so SameSite cookies do not stop it); this host over https.
    const origins = ["http://evil.example", "null", "http://127.0.0.1:1", `http://localhost:${port}`, `https://127.0.0.1:${port}`];
    for (const origin of origins) {
      for (const [type, body] of forms) {
        const res = await raw(base, `/api/contents?_xsrf=${encodeURIComponent(xsrf)}`, {
          method: "POST",
          headers: { cookie, origin, "content-type": type },
          body,
        });
        assert.equal(res.status, 403, `form POST (${type}) from ${origin}: ${res.body}`);
        assert.match(res.body, /Origin .* is not allowed/);
      }
      const kernel = await raw(base, "/api/kernels", {
        method: "POST",
        headers: { cookie, origin, "content-type": "text/plain" },
        body: '{"name":"typescript"}',
      });
      assert.equal(kernel.status, 403, `kernel start from ${origin}`);
      // Login CSRF: another site must not log this browser in (in workshop mode: as the attacker's account).
      const login = await raw(base, "/login", {
        method: "POST",
        headers: { origin, "content-type": "application/x-www-form-urlencoded" },
        body: `token=${token}`,
      });
      assert.equal(login.status, 403, `login form POST from ${origin}: ${login.body}`);
      assert.equal(login.headers["set-cookie"], undefined, `no login cookie for a form from ${origin}`);
    }
    const dirs = JSON.parse((await raw(base, "/api/contents", { headers: { authorization: `token ${token}` } })).body) as {
      content: Array<{ name: string }>;
    };
    assert.ok(!dirs.content.some((e) => e.name.startsWith("Untitled Folder")), "no folder was made");
    assert.ok(!(await readdir(root)).some((n) => n.startsWith("Untitled Folder")));
    // The server's own login form (same Origin) still logs in.
    const own = await raw(base, "/login", {
      method: "POST",
      headers: { origin: server.origin, "content-type": "application/x-www-form-urlencoded" },
      body: `token=${token}`,
    });
    assert.equal(own.status, 302);
  });

  it("cross-origin REST: writes from another Origin are refused even with the token, and no response is shared cross-origin (no CORS)", async () => {
    const { base, token } = server;
    const auth = { authorization: `token ${token}` };
    for (const origin of ["http://evil.example", "null", "http://127.0.0.1:1"]) {
      const write = await raw(base, "/api/kernels", {
        method: "POST",
        headers: { ...auth, origin, "content-type": "application/json" },
        body: '{"name":"typescript"}',
      });
      assert.equal(write.status, 403, `POST from ${origin}`);
      const del = await raw(base, `/api/kernels/${kernelId}`, { method: "DELETE", headers: { ...auth, origin } });
      assert.equal(del.status, 403, `DELETE from ${origin}`);
      // A read may be answered, but without Access-Control-Allow-Origin the other page cannot see it.
      const read = await raw(base, "/api/contents", { headers: { ...auth, origin } });
      assert.equal(read.headers["access-control-allow-origin"], undefined, `GET from ${origin} grants no CORS`);
      const preflight = await raw(base, "/api/kernels", {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization" },
      });
      assert.equal(preflight.headers["access-control-allow-origin"], undefined, `preflight from ${origin}`);
      assert.equal(preflight.headers["access-control-allow-methods"], undefined, `preflight from ${origin}`);
    }
    assert.equal((await server.api(`api/kernels/${kernelId}`)).status, 200, "the kernel is still there");
  });

  it("cross-origin WebSockets: kernel channels, documents and metrics from another Origin are refused, with the cookie or the token", async () => {
    const { base, token } = server;
    const { cookie } = await browserLogin(base, token);
    const port = new URL(base).port;
    const paths = [`api/kernels/${kernelId}/channels`, "api/tessera/documents?path=a.ipynb", "api/tessera/metrics"];
    await writeFile(join(server.root, "a.ipynb"), JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [] }));
    const hostile = ["http://evil.example", "null", "http://127.0.0.1:1", `http://localhost:${port}`, `https://127.0.0.1:${port}`];
    for (const path of paths) {
      for (const origin of hostile) {
        assert.equal(await upgradeStatus(`${ws()}${path}`, { cookie, origin }), 403, `${path} with the cookie from ${origin}`);
        const withToken = `${ws()}${path}${path.includes("?") ? "&" : "?"}token=${token}`;
        assert.equal(await upgradeStatus(withToken, { origin }), 403, `${path} with the token from ${origin}`);
      }
      // The page's own origin with its cookie connects: the refusals were the Origin check.
      assert.equal(await upgradeStatus(`${ws()}${path}`, { cookie, origin: server.origin }), 101, `${path} from the page's own origin`);
    }
  });

  it("cross-origin on a server without auth (--token ''): the Origin check alone keeps other sites out", async () => {
    const s = await spawnServer("");
    try {
      const wsBase = s.base.replace(/^http/, "ws");
      // Without credentials anyone on this machine may use it (docs/remote.md): here a curl-like client.
      assert.equal((await raw(s.base, "/api/contents")).status, 200);
      for (const origin of ["http://evil.example", "null"]) {
        const res = await raw(s.base, "/api/contents", {
          method: "POST",
          headers: { origin, "content-type": "text/plain" },
          body: '{"type":"directory"}',
        });
        assert.equal(res.status, 403, `write from ${origin}`);
        for (const path of ["api/tessera/documents?path=a.ipynb", "api/tessera/metrics"]) {
          assert.equal(await upgradeStatus(`${wsBase}${path}`, { origin }), 403, `${path} from ${origin}`);
        }
        assert.equal(await upgradeStatus(`${wsBase}api/kernels/not-a-kernel/channels`, { origin }), 403, `channels from ${origin}`);
      }
      assert.equal(await upgradeStatus(`${wsBase}api/tessera/metrics`, { origin: s.origin }), 101, "its own page connects");
    } finally {
      await s.close();
    }
  });

  it("DNS rebinding: a rebound Host (evil.example resolving to 127.0.0.1) is refused on REST and WebSocket", async () => {
    // A server without auth is what rebinding targets: the attacker's page has no token and
    // no cookie, so only the Host check stands between it and the API.
    const s = await spawnServer("");
    try {
      const wsBase = s.base.replace(/^http/, "ws");
      const rebound = [`evil.example:${s.port}`, "evil.example", `127.0.0.1.evil.example:${s.port}`, `localhost.evil.example:${s.port}`];
      for (const host of rebound) {
        // The rebinding page is same-origin with itself, so its Origin matches the Host: the Origin check passes.
        const origin = `http://${host}`;
        assert.equal((await raw(s.base, "/api/contents", { headers: { host } })).status, 403, `GET with Host ${host}`);
        assert.equal((await raw(s.base, "/", { headers: { host } })).status, 403, `page with Host ${host}`);
        const write = await raw(s.base, "/api/contents", {
          method: "POST",
          headers: { host, origin, "content-type": "application/json" },
          body: '{"type":"directory"}',
        });
        assert.equal(write.status, 403, `POST with Host ${host}`);
        for (const path of ["api/tessera/documents?path=a.ipynb", "api/tessera/metrics", "api/kernels/not-a-kernel/channels"]) {
          assert.equal(await upgradeStatus(`${wsBase}${path}`, { host, origin }), 403, `${path} with Host ${host}`);
        }
      }
      // Loopback names and addresses are served (the refusals above were the Host check).
      for (const host of [`localhost:${s.port}`, `127.0.0.1:${s.port}`, `[::1]:${s.port}`]) {
        assert.equal((await raw(s.base, "/api/contents", { headers: { host } })).status, 200, `Host ${host}`);
      }
      assert.equal(
        await upgradeStatus(`${wsBase}api/tessera/metrics`, { host: `localhost:${s.port}`, origin: `http://localhost:${s.port}` }),
        101,
      );
      assert.equal(
        await upgradeStatus(`${wsBase}api/kernels/not-a-kernel/channels`, { host: `localhost:${s.port}` }),
        404,
        "past the Host check, a missing kernel",
      );
    } finally {
      await s.close();
    }
    // With credentials (the token server), a rebound Host is refused on WebSockets too.
    const { cookie } = await browserLogin(server.base, server.token);
    const port = new URL(server.base).port;
    const host = `evil.example:${port}`;
    for (const path of [`api/kernels/${kernelId}/channels`, "api/tessera/metrics"]) {
      assert.equal(
        await upgradeStatus(`${ws()}${path}?token=${server.token}`, { host, origin: `http://${host}` }),
        403,
        `${path} with the token`,
      );
      assert.equal(await upgradeStatus(`${ws()}${path}`, { host, origin: `http://${host}`, cookie }), 403, `${path} with the cookie`);
    }
  });

  it("contents API on huge files: GET of a sparse multi-GiB file answers 413 quickly without reading it, and the listing still works", async () => {
    const bytes = size(4 * GiB, 16 * GiB);
    const { root, token, base } = server;
    for (const name of ["huge.bin", "huge.ipynb", "huge.txt"]) {
      await writeFile(join(root, name), "");
      await truncate(join(root, name), bytes); // sparse: no disk used, but every byte readable (as zeros)
    }
    const rssBefore = await rssBytes(server.pid);
    const auth = { authorization: `token ${token}` };
    const timings: Record<string, number> = {};
    for (const path of [
      "huge.bin",
      "huge.ipynb",
      "huge.txt",
      "huge.txt?format=text",
      "huge.bin?format=base64",
      "huge.ipynb?type=notebook",
    ]) {
      const t0 = performance.now();
      const res = await raw(base, `/api/contents/${path}`, { headers: auth });
      timings[path] = Math.round(performance.now() - t0);
      assert.equal(res.status, 413, `${path}: ${res.body.slice(0, 200)}`);
      assert.match(res.body, /too large to open \([\d.]+ GiB; the limit is 50 MiB\)/);
      // Reading 4 GiB, even of zeros, takes seconds; refusing from the size takes milliseconds.
      assert.ok(timings[path] < 2000, `${path} answered in ${timings[path]} ms: was it read?`);
    }
    // The live document (what the notebook page opens) refuses it the same way, without reading it.
    const t0 = performance.now();
    const doc = await openSocket(`${ws()}api/tessera/documents?path=huge.ipynb&token=${token}`);
    const closed = await new Promise<number>((r) => doc.once("close", (code) => r(code)));
    timings["documents socket"] = Math.round(performance.now() - t0);
    assert.equal(closed, 4404);
    assert.match(JSON.stringify(doc.received), /too large to open/);
    // An upload announcing a huge body is refused from its Content-Length, before it is sent.
    const upload = await raw(base, "/api/contents/upload.bin", {
      method: "PUT",
      headers: { ...auth, "content-type": "application/json", "content-length": String(bytes) },
    });
    assert.equal(upload.status, 413, "a huge upload is refused");
    const rssAfter = await rssBytes(server.pid);
    assert.ok(rssAfter - rssBefore < 256 * 1024 ** 2, `the server's memory grew by ${((rssAfter - rssBefore) / 1024 ** 2).toFixed(0)} MiB`);

    // The listing and the metadata (content=0) still work, with the real size.
    const listing = JSON.parse((await raw(base, "/api/contents/", { headers: auth })).body) as {
      content: Array<{ name: string; size: number | null }>;
    };
    assert.equal(listing.content.find((e) => e.name === "huge.bin")?.size, bytes);
    const meta = await raw(base, "/api/contents/huge.bin?content=0", { headers: auth });
    assert.equal(meta.status, 200);
    assert.equal((JSON.parse(meta.body) as { size: number }).size, bytes);
    await report("security-huge-file", {
      fileBytes: bytes,
      answerMs: timings,
      rssGrowthMiB: Math.round((rssAfter - rssBefore) / 1024 ** 2),
    });
    for (const name of ["huge.bin", "huge.ipynb", "huge.txt"]) await rm(join(root, name));
  });

  it("login brute force: failed logins (the form, a token header) are answered 429, then even the right token waits", async () => {
    // Its own server: the lockout is per address, and every test here comes from 127.0.0.1.
    const s = await startServer();
    try {
      const form = (secret: string) =>
        raw(s.base, "/login", {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded", origin: s.origin },
          body: `token=${secret}`,
        });
      for (let i = 0; i < 3; i++) assert.equal((await form(`guess-${i}`)).status, 403);
      // Wrong tokens on the API count against the same address.
      for (let i = 3; i < 5; i++)
        assert.equal((await raw(s.base, "/api/status", { headers: { authorization: `token guess-${i}` } })).status, 403);
      const locked = await form(s.token);
      assert.equal(locked.status, 429, "the right token waits too");
      assert.ok(Number(locked.headers["retry-after"]) > 0, "with Retry-After");
      assert.equal((await raw(s.base, `/api/status?token=${s.token}`)).status, 429);
      assert.equal((await raw(s.base, `/tree?token=${s.token}`)).status, 429);
    } finally {
      await s.close();
    }
  });
});
