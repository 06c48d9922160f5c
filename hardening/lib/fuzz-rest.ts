/**
 * Requests for every REST route the server registers: methods (the route's own and
 * others), hostile path segments, query strings, headers, content types and bodies
 * (up to a few MiB, deeply nested, not UTF-8). Sent with node:http, so paths go out as
 * written (fetch would normalize "..") and any header can be set.
 */
import http from "node:http";
import { DEEP, PROTO_KEYS, type Rng, deepJson, invalidUtf8, randomJson, toJsonText, weirdString, wrongType } from "./fuzz-rng.js";

export interface RestRequest {
  method: string;
  /** Path and query, exactly as sent. */
  path: string;
  headers: Record<string, string>;
  body: Buffer | null;
  /** Could start a kernel (the test caps those: each is a process). */
  spawns: boolean;
}

export interface RestAnswer {
  status: number;
  contentType: string;
  body: string;
}

/** Ids the fuzzer learned from the server (kernels and sessions it created), to reach real resources too. */
export interface Known {
  kernels: string[];
  sessions: string[];
}

/** The route list (apps/kernel-server: kernels, sessions, contents, files, status, users, metrics, pages). {x} are filled in. */
const ROUTES: Array<[string, string]> = [
  ["GET", "/api"],
  ["GET", "/api/status"],
  ["GET", "/api/me"],
  ["GET", "/api/tessera/me"],
  ["GET", "/api/kernelspecs"],
  ["GET", "/api/kernelspecs/{name}"],
  ["GET", "/api/kernels"],
  ["POST", "/api/kernels"],
  ["GET", "/api/kernels/{kernel}"],
  ["DELETE", "/api/kernels/{kernel}"],
  ["POST", "/api/kernels/{kernel}/interrupt"],
  ["POST", "/api/kernels/{kernel}/restart"],
  ["GET", "/api/kernels/{kernel}/channels"],
  ["GET", "/api/sessions"],
  ["GET", "/api/sessions/{session}"],
  ["POST", "/api/sessions"],
  ["PATCH", "/api/sessions/{session}"],
  ["DELETE", "/api/sessions/{session}"],
  ["GET", "/api/contents/{path}"],
  ["PUT", "/api/contents/{path}"],
  ["POST", "/api/contents/{path}"],
  ["PATCH", "/api/contents/{path}"],
  ["DELETE", "/api/contents/{path}"],
  ["GET", "/api/contents/{path}/checkpoints"],
  ["POST", "/api/contents/{path}/checkpoints"],
  ["POST", "/api/contents/{path}/checkpoints/{checkpoint}"],
  ["DELETE", "/api/contents/{path}/checkpoints/{checkpoint}"],
  ["GET", "/files/{path}"],
  ["GET", "/api/tessera/documents"],
  ["GET", "/api/tessera/metrics"],
  ["GET", "/api/tessera/admin/users"],
  ["POST", "/api/tessera/admin/distribute"],
  ["DELETE", "/api/tessera/admin/kernels/{kernel}"],
  ["GET", "/metrics"],
  ["GET", "/"],
  ["GET", "/tree"],
  ["GET", "/tree/{path}"],
  ["GET", "/notebooks/{path}"],
  ["GET", "/admin"],
  ["GET", "/favicon.ico"],
  ["GET", "/static/{path}"],
  ["GET", "/login"],
  ["GET", "/logout"],
  ["POST", "/logout"],
  // POST /login is left out: wrong passwords count against the address, and then every
  // request (the fuzzer's own, with the token) is refused for a minute.
];

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "PROPFIND", "TRACE"];

/** Path segments: hostile escapes, traversal, NUL, bad percent-encoding, very long, prototype keys. */
function segment(rng: Rng): string {
  const r = rng.next();
  if (r < 0.35) return rng.pick(["a.txt", "b.ipynb", "sub", "new dir", "data.csv", "x.bin", "checkpoints"]);
  if (r < 0.8)
    return rng.pick([
      "%00",
      "a%00b",
      "%2e%2e",
      "..",
      ".",
      "%2F",
      "%2f..%2f..",
      "%zz",
      "%",
      "%E0%A4%A",
      "%ED%A0%80",
      "%C0%AF",
      "%C3%BC",
      "%FF",
      ".hidden",
      "a b",
      "a+b",
      "a;b",
      "~",
      "*",
      "%20",
      "%0d%0aX-Injected:%201",
      "%3Cscript%3E",
      "nul",
      "con",
      ...PROTO_KEYS,
    ]);
  if (r < 0.9) return "x".repeat(200 + rng.int(400));
  if (r < 0.95) return "y".repeat(2000 + rng.int(6000));
  return escapeBytes(weirdString(rng, 64));
}

/** Percent-encodes what cannot go on the request line (node:http refuses it), byte by byte, so lone surrogates survive as bytes too. */
function escapeBytes(text: string): string {
  return text.replace(/[^\x21-\x7e]/gu, (c) => [...Buffer.from(c, "utf8")].map((b) => `%${b.toString(16).padStart(2, "0")}`).join(""));
}

/** A contents path: mostly under rest/ (the test's own folder), never the fuzzed notebook's folder. */
function contentsPath(rng: Rng): string {
  const parts = Array.from({ length: rng.int(4) }, () => segment(rng));
  if (rng.chance(0.7)) parts.unshift("rest");
  return parts.join(rng.chance(0.1) ? "//" : "/");
}

function id(rng: Rng, known: string[]): string {
  if (known.length > 0 && rng.chance(0.4)) return rng.pick(known);
  return rng.chance(0.5) ? segment(rng) : rng.pick(["00000000-0000-4000-8000-000000000000", rng.word(), "", "%2e%2e"]);
}

function query(rng: Rng, token: string): string {
  if (rng.chance(0.4)) return "";
  const keys = [
    "type",
    "format",
    "content",
    "hash",
    "download",
    "path",
    "session_id",
    "next",
    "token",
    "_xsrf",
    "a[b]",
    "__proto__",
    rng.word(),
  ];
  const values = () =>
    rng.pick([
      "notebook",
      "file",
      "directory",
      "json",
      "text",
      "base64",
      "0",
      "1",
      "2",
      "",
      "%00",
      "%zz",
      "x".repeat(rng.int(3000)),
      ...PROTO_KEYS,
    ]);
  const pairs = Array.from({ length: 1 + rng.int(5) }, () => {
    const k = rng.pick(keys);
    return k === "token" ? `token=${token}` : `${encodeURIComponent(k)}=${values()}`;
  });
  return `?${pairs.join("&")}`;
}

/** A body shaped for the route (with wrong types), or anything at all. */
function bodyValue(rng: Rng, route: string, known: Known): unknown {
  const notebook = () => ({
    nbformat: rng.pick([4, 4, 3, "4", null]),
    nbformat_minor: rng.pick([5, 4, -1, "x"]),
    metadata: rng.chance(0.2) ? { deep: DEEP } : randomJson(rng, 2),
    cells: rng.chance(0.5)
      ? [{ cell_type: "code", source: weirdString(rng, 128), metadata: {}, outputs: [], execution_count: null }]
      : randomJson(rng, 2),
  });
  let v: Record<string, unknown>;
  if (route.startsWith("/api/contents")) {
    const type = rng.pick(["notebook", "file", "directory", "", null, 5, ...PROTO_KEYS]);
    v = {
      type,
      format: rng.pick(["text", "base64", "json", null, 5]),
      ...(rng.chance(0.2) ? { copy_from: contentsPath(rng) } : {}),
      ...(rng.chance(0.2) ? { path: contentsPath(rng) } : {}),
      ...(rng.chance(0.2) ? { ext: rng.pick([".ipynb", ".txt", "", 5, "/../x"]) } : {}),
    };
    // As text, a notebook nested 100k levels: saved as a file, then read back as a notebook.
    const deepText = () =>
      `{"nbformat":4,"nbformat_minor":5,"metadata":{},"cells":[{"cell_type":"raw","source":"","metadata":{"deep":${deepJson(100_000)}}}]}`;
    v.content =
      type === "notebook"
        ? notebook()
        : rng.chance(0.1)
          ? "z".repeat(rng.int(3 * 1024 * 1024))
          : rng.chance(0.1)
            ? deepText()
            : rng.chance(0.5)
              ? weirdString(rng, 4096)
              : randomJson(rng, 2);
  } else if (route.startsWith("/api/sessions")) {
    v = {
      path: rng.chance(0.7) ? contentsPath(rng) : randomJson(rng, 1),
      name: randomJson(rng, 0),
      type: rng.pick(["notebook", "console", 5]),
      kernel: rng.pick([null, { name: "typescript" }, { id: id(rng, known.kernels) }, { name: rng.pick(PROTO_KEYS) }, "typescript", []]),
    };
  } else if (route.startsWith("/api/kernels")) {
    v = {
      name: rng.pick(["typescript", "python3", "", 5, null, ...PROTO_KEYS]),
      path: rng.chance(0.5) ? contentsPath(rng) : randomJson(rng, 1),
    };
  } else if (route.includes("distribute")) {
    v = {
      path: rng.pick([contentsPath(rng), "", 5]),
      users: rng.pick([undefined, [], ["nobody"], "all", [5]]),
      overwrite: rng.pick([undefined, true, "yes"]),
    };
  } else {
    return randomJson(rng, 3);
  }
  // Then a wrong type here and there.
  for (const k of Object.keys(v)) if (rng.chance(0.15)) v[k] = wrongType(rng, v[k]);
  return v;
}

function body(rng: Rng, route: string, known: Known): Buffer | null {
  const r = rng.next();
  if (r < 0.15) return null;
  if (r < 0.2) return Buffer.from(rng.pick(["", " ", "\n", "null", "{", "[", '{"a":', "{}}", "undefined", "NaN"]));
  if (r < 0.25) return rng.bytes(rng.int(4096));
  if (r < 0.28) return invalidUtf8(rng);
  if (r < 0.31) return Buffer.from(rng.chance(0.5) ? deepJson(100_000) : `{"a":${deepJson(100_000, false)}`);
  if (r < 0.33) return Buffer.from(JSON.stringify({ big: "b".repeat(1024 * 1024 + rng.int(3 * 1024 * 1024)) }));
  if (r < 0.36) return Buffer.from(`a=${escapeBytes(weirdString(rng))}&b=%zz&${rng.word()}=&&=`);
  return Buffer.from(toJsonText(bodyValue(rng, route, known)));
}

const CONTENT_TYPES = [
  "application/json",
  "application/json",
  "text/plain",
  "text/plain;charset=utf-16",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/octet-stream",
  "",
  "a/b;;;=",
  "application/json; charset=latin1",
  "*/*",
];

/** One request: the route's own method or another, filled-in path, query, headers and body. */
export function restRequest(rng: Rng, token: string, origin: string, known: Known): RestRequest {
  const [routeMethod, route] = rng.pick(ROUTES);
  const method = rng.chance(0.85) ? routeMethod : rng.pick(METHODS);
  const path = route
    .replace("{path}", () => contentsPath(rng))
    .replace("{kernel}", () => id(rng, known.kernels))
    .replace("{session}", () => id(rng, known.sessions))
    .replace("{name}", () => (rng.chance(0.5) ? rng.pick(PROTO_KEYS) : rng.pick(["typescript", "python3", segment(rng)])))
    .replace("{checkpoint}", () => rng.pick(["checkpoint", "a-b", rng.word(), segment(rng)]));
  const headers: Record<string, string> = {};
  // Always the right token (a wrong one counts against the address: see ROUTES); sometimes in the query instead.
  const q = query(rng, token);
  if (!q.includes("token=") || rng.chance(0.5)) headers.authorization = `token ${token}`;
  if (rng.chance(0.7)) headers.origin = rng.chance(0.9) ? origin : rng.pick(["http://evil.example", "null", "", "http://127.0.0.1:1"]);
  const b = method === "GET" || method === "HEAD" ? (rng.chance(0.1) ? body(rng, route, known) : null) : body(rng, route, known);
  if (b !== null || rng.chance(0.3)) {
    const type = rng.pick(CONTENT_TYPES);
    if (type) headers["content-type"] = type;
  }
  if (rng.chance(0.2)) headers.cookie = rng.pick(["_xsrf=%zz", `tessera-auth-1=${rng.word()}`, "a", "=;=;", `x=${"c".repeat(2000)}`]);
  if (rng.chance(0.1)) headers["x-xsrftoken"] = weirdString(rng, 64).replace(/[^\x20-\x7e]/g, "");
  if (rng.chance(0.1)) headers.accept = rng.pick(["*/*", "text/html", "application/json;q=0", ""]);
  if (rng.chance(0.05)) headers["accept-encoding"] = rng.pick(["br", "gzip, deflate", "identity;q=0, *;q=0"]);
  if (rng.chance(0.05)) headers.range = rng.pick(["bytes=0-1", "bytes=-5", "bytes=9999999-", "bytes=a-b"]);
  if (rng.chance(0.05)) headers["if-none-match"] = "*";
  const spawns =
    (method === "POST" && (route === "/api/kernels" || route === "/api/sessions" || route.endsWith("/restart"))) ||
    (method === "PATCH" && route.startsWith("/api/sessions/"));
  return { method, path: escapeBytes(path + q), headers, body: b, spawns };
}

/** A request that cannot start a kernel: the same route with a body the route refuses. */
export function defused(req: RestRequest): RestRequest {
  const body = Buffer.from(req.path.startsWith("/api/kernels") && !req.path.includes("/restart") ? '{"name":"python3"}' : "5");
  return {
    ...req,
    path: req.path.replace(/\/restart/, "/interrupt"),
    body,
    headers: { ...req.headers, "content-type": "application/json" },
    spawns: false,
  };
}

/** Sends a request and reads the whole answer; rejects if none comes within `timeoutMs` (a hang is a failure too). */
export function send(base: URL, req: RestRequest, timeoutMs = 60_000): Promise<RestAnswer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...req.headers };
    if (req.body) headers["content-length"] = req.body.length;
    const r = http.request({ host: base.hostname, port: base.port, method: req.method, path: req.path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          contentType: String(res.headers["content-type"] ?? ""),
          body: Buffer.concat(chunks).toString("utf8"),
        }),
      );
      res.on("error", reject);
    });
    r.setTimeout(timeoutMs, () => r.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    r.on("error", reject);
    r.end(req.body ?? undefined);
  });
}

/** The request as a command that replays it (for a 5xx in the failure message). */
export function replayCommand(base: URL, req: RestRequest): string {
  const h = Object.entries(req.headers)
    .map(([k, v]) => `-H ${JSON.stringify(`${k}: ${v}`)}`)
    .join(" ");
  const b = req.body
    ? req.body.length > 300
      ? ` --data-binary <${req.body.length} bytes, starts ${JSON.stringify(req.body.subarray(0, 120).toString("latin1"))}>`
      : ` --data-binary ${JSON.stringify(req.body.toString("latin1"))}`
    : "";
  const path = req.path.length > 400 ? `${req.path.slice(0, 400)}…(${req.path.length} chars)` : req.path;
  return `curl -X ${req.method} ${h}${b} ${JSON.stringify(`${base.origin}${path}`)}`;
}
