/**
 * Fuzzing, for a bounded time, of every surface a client can reach: the kernel channels
 * (JSON framing and the v1 binary subprotocol), the page's document socket, the metrics
 * socket and every REST route, all at once against the real server and a real kernel.
 *
 * Each generated frame carries the verdict of the protocol it breaks (fuzz-kernel.ts,
 * fuzz-doc.ts): after every batch a good request is sent, and by its answer every
 * malformed frame of the batch must have had exactly one error answer, and no good one.
 * REST must never answer 5xx or hang. Afterwards the server must still serve, the fuzzed
 * kernel still compute 1 + 1, the fuzzed notebook still open, its memory be bounded,
 * and its stderr free of uncaught exceptions. Replay a run with TESSERA_FUZZ_SEED=<seed>.
 */
import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import { rssOf } from "../apps/kernel-server/test/helpers/classroom.js";
import { putNotebook, startServer, type E2EServer } from "../e2e/lib/server.js";
import { FULL, report, size } from "./lib/mode.js";
import { DocFuzzer, type DocFrame } from "./lib/fuzz-doc.js";
import { encodeV1Parts, jsonFrame, v1Frame, type KernelFrame } from "./lib/fuzz-kernel.js";
import { restRequest, defused, replayCommand, send, type Known } from "./lib/fuzz-rest.js";
import { Rng, describe as show, fuzzSeed, invalidUtf8 } from "./lib/fuzz-rng.js";
import { closeCodeFor, metricsFrame, openSocket, waitFor, type Received } from "./lib/fuzz-socket.js";

const SECONDS = size(12, 120);
/** Frames between two checks. */
const BATCH = 20;
/** Longest "huge" string in a frame (the frame stays under the 16 MiB limit). */
const MAX_HUGE = size(256 * 1024, 1024 * 1024);
/** Frames over 16 MiB and invalid UTF-8 frames, per socket kind. */
const CLOSERS = size(1, 4);
/** REST requests that could start a kernel (each a process on a small machine). */
const SPAWN_BUDGET = size(2, 12);
const REST_WORKERS = 2;
/** Between two metrics batches (each subscribe makes the server build ten minutes of history). */
const METRICS_PAUSE_MS = 100;
const MAX_FRAME = 16 * 1024 * 1024;
const V1 = "v1.kernel.websocket.jupyter.org";
/** Bounds the server's growth over the run (the replay buffer alone may hold 32 MiB). */
const RSS_GROWTH_LIMIT = 200 * 1024 * 1024;

const seed = fuzzSeed();
console.log(`[fuzz] seed ${seed}: replay with TESSERA_FUZZ_SEED=${seed}`);
const root = new Rng(seed);

let server: E2EServer;
let wsBase: string;
let headers: Record<string, string>;
let kernelId: string;

/** Counts per surface: frames sent, malformed ones among them, error answers received. */
const counts: Record<string, { sent: number; malformed: number; errorsAnswered: number }> = {};
const count = (surface: string) => (counts[surface] ??= { sent: 0, malformed: 0, errorsAnswered: 0 });
const closes: Record<string, number> = {};
const rest = {
  statuses: {} as Record<string, number>,
  fiveHundreds: [] as string[],
  badAnswers: [] as string[],
  connectionErrors: [] as string[],
  kernelsStarted: 0,
  totalMs: 0,
  maxMs: 0,
};
const rss = { before: 0, peak: 0, after: 0, series: [] as Array<[number, number]> };
let fuzzSeconds = 0;

const mib = (b: number) => Math.round((b / 1024 / 1024) * 10) / 10;

before(async () => {
  server = await startServer();
  wsBase = server.base.replace(/^http/, "ws");
  headers = { authorization: `token ${server.token}`, origin: server.origin };
  kernelId = (
    (await (await server.api("api/kernels", { method: "POST", body: JSON.stringify({ name: "typescript" }) })).json()) as { id: string }
  ).id;
  await server.api("api/contents/docs", { method: "PUT", body: JSON.stringify({ type: "directory" }) });
  await server.api("api/contents/rest", { method: "PUT", body: JSON.stringify({ type: "directory" }) });
  await putNotebook(server, "docs/fuzz.ipynb", ["1 + 1", "'pinned'"]);
});

after(async () => {
  if (!server) return; // no server, no figures: keep the last run's
  await report("fuzz", {
    seed,
    seconds: fuzzSeconds,
    surfaces: counts,
    closes,
    rest: {
      statuses: rest.statuses,
      fiveHundreds: rest.fiveHundreds.length,
      badAnswers: rest.badAnswers.length,
      connectionErrors: rest.connectionErrors.length,
      kernelsStarted: rest.kernelsStarted,
      meanMs: Math.round(rest.totalMs / Math.max(1, count("rest").sent)),
      maxMs: Math.round(rest.maxMs),
    },
    rssMiB: { before: mib(rss.before), peak: mib(rss.peak), after: mib(rss.after), growth: mib(rss.after - rss.before) },
    ...(FULL ? { rssSeriesMiB: rss.series.map(([t, v]) => [t, mib(v)]) } : {}),
  });
  await server.close();
});

/** A kernel_info_request on shell: its reply comes after everything sent before it (the server answers bad frames at once; the kernel works in order). */
function infoRequest(framing: "json" | "v1"): { msgId: string; data: string | Buffer } {
  const msgId = `sync-${Math.random().toString(16).slice(2)}`;
  const header = {
    msg_id: msgId,
    msg_type: "kernel_info_request",
    session: "fuzz",
    username: "fuzz",
    date: new Date().toISOString(),
    version: "5.3",
  };
  if (framing === "v1")
    return { msgId, data: encodeV1Parts(["shell", JSON.stringify(header), "{}", "{}", "{}"].map((t) => Buffer.from(t))) };
  return { msgId, data: JSON.stringify({ header, parent_header: {}, metadata: {}, content: {}, channel: "shell", buffers: [] }) };
}

const isInvalidMessage = (m: Received) => m.content?.ename === "InvalidMessage";

function explain(frames: Array<KernelFrame | DocFrame>): string {
  return frames
    .map((f, i) => `  #${i} ${"malformed" in f ? (f.malformed ?? "valid") : `${f.verdict}: ${f.note}`}: ${show(f.data, 200)}`)
    .join("\n");
}

/** Batches of frames on one kernel socket; after each, every malformed frame must have had its InvalidMessage answer. */
async function fuzzKernel(rng: Rng, framing: "json" | "v1", deadline: number): Promise<void> {
  const surface = `kernel-${framing}`;
  const c = count(surface);
  const ws = await openSocket(
    `${wsBase}api/kernels/${kernelId}/channels?session_id=fuzz-${framing}`,
    headers,
    framing === "v1" ? [V1] : undefined,
  );
  for (let batch = 0; Date.now() < deadline; batch++) {
    const start = ws.received.length;
    const frames = Array.from({ length: BATCH }, () => (framing === "json" ? jsonFrame(rng, MAX_HUGE) : v1Frame(rng, MAX_HUGE)));
    for (const f of frames) ws.send(f.data, { binary: f.binary });
    const sync = infoRequest(framing);
    ws.send(sync.data, { binary: framing === "v1" });
    const end = await waitFor(
      ws,
      (m) => m.parent_header?.msg_id === sync.msgId && m.header?.msg_type === "kernel_info_reply",
      `the kernel_info_reply after ${surface} batch ${batch}`,
      start,
    );
    assert.equal(
      ws.received[end].content?.status,
      "ok",
      `the kernel stopped answering after ${surface} batch ${batch}: ${JSON.stringify(ws.received[end].content)}\n${explain(frames)}`,
    );
    const answers = ws.received.slice(start, end);
    const invalid = answers.filter(isInvalidMessage).length;
    const malformed = frames.filter((f) => f.malformed !== null).length;
    assert.equal(
      invalid,
      malformed,
      `${surface} batch ${batch}: ${malformed} malformed frames got ${invalid} InvalidMessage answers:\n${explain(frames)}`,
    );
    c.sent += frames.length;
    c.malformed += malformed;
    c.errorsAnswered += invalid;
  }
  ws.close();
}

/** Batches on the document socket; after each, a save must succeed and every bad frame have had exactly one error answer. */
async function fuzzDocument(rng: Rng, deadline: number): Promise<void> {
  const c = count("document");
  const ws = await openSocket(`${wsBase}api/tessera/documents?path=docs/fuzz.ipynb`, headers);
  const snapshot = ws.received[await waitFor(ws, (m) => m.type === "snapshot", "the snapshot")];
  const pinned = (snapshot.notebook.cells as Array<{ id: string }>).map((cell) => cell.id);
  // With the kernel running, every answer to a bad frame is sent before the next frame is read.
  ws.send(JSON.stringify({ type: "start_kernel", requestId: "start" }));
  const started = ws.received[await waitFor(ws, (m) => m.type === "reply" && m.requestId === "start", "the document's kernel")];
  assert.equal(started.ok, true, `start_kernel: ${started.error}`);
  const gen = new DocFuzzer(rng, pinned, MAX_HUGE);
  const sentOk = new Map<string, DocFrame>();
  const isError = (m: Received) => m.type === "error" || (m.type === "reply" && m.ok === false);
  for (let batch = 0; Date.now() < deadline; batch++) {
    const start = ws.received.length;
    const frames = Array.from({ length: BATCH }, () => gen.next());
    for (const f of frames) {
      if (f.requestId && f.verdict === "ok") sentOk.set(f.requestId, f);
      ws.send(f.data);
    }
    // A save: its answer needs disk I/O, so it comes after every answer to the frames before it.
    const syncId = `sync-${batch}`;
    ws.send(JSON.stringify({ type: "save", requestId: syncId }));
    const end = await waitFor(ws, (m) => m.type === "reply" && m.requestId === syncId, `the save after document batch ${batch}`, start);
    const answers = ws.received.slice(start, end);
    for (const m of answers.filter(isError)) {
      const refused = m.requestId ? sentOk.get(m.requestId) : undefined;
      assert.ok(!refused, `the document refused a valid frame (${refused?.note}): ${m.error ?? m.message}\n  ${show(refused?.data ?? "")}`);
    }
    assert.equal(
      ws.received[end].ok,
      true,
      `the document can no longer be saved after batch ${batch}: ${ws.received[end].error}\n${explain(frames)}`,
    );
    const errors = answers.filter(isError).length;
    const bad = frames.filter((f) => f.verdict === "error").length;
    assert.equal(
      errors,
      bad,
      `document batch ${batch}: ${bad} bad frames got ${errors} error answers:\n${explain(frames)}\nanswers: ${answers
        .filter(isError)
        .map((m) => JSON.stringify(m).slice(0, 200))
        .join("\n  ")}`,
    );
    c.sent += frames.length;
    c.malformed += bad;
    c.errorsAnswered += errors;
  }
  ws.close();
}

/** Batches on the metrics socket: every frame's answer (history, error or none) must come, in order. */
async function fuzzMetrics(rng: Rng, deadline: number): Promise<void> {
  const c = count("metrics");
  const ws = await openSocket(`${wsBase}api/tessera/metrics`, headers);
  for (let batch = 0; Date.now() < deadline; batch++) {
    const start = ws.received.length;
    const frames = Array.from({ length: BATCH }, () => metricsFrame(rng));
    for (const f of frames) ws.send(f.data, { binary: f.binary });
    ws.send(JSON.stringify({ type: "subscribe", intervalMs: 1000 }));
    const expected = [...frames.map((f) => f.answer).filter((a) => a !== null), "history"];
    let n = 0;
    const end = await waitFor(ws, (m) => m.type !== "sample" && ++n === expected.length, `the answers to metrics batch ${batch}`, start);
    const got = ws.received
      .slice(start, end + 1)
      .filter((m) => m.type !== "sample")
      .map((m) => m.type as string);
    assert.deepEqual(
      got,
      expected,
      `metrics batch ${batch}: answers out of step with the frames:\n${frames.map((f) => `  ${f.answer}: ${show(f.data, 120)}`).join("\n")}`,
    );
    c.sent += frames.length;
    c.malformed += expected.filter((a) => a === "error").length;
    c.errorsAnswered += got.filter((a) => a === "error").length;
    // Its answers are quick: without a pause this socket alone would keep the server busy.
    await new Promise((r) => setTimeout(r, METRICS_PAUSE_MS));
  }
  ws.close();
}

/** Frames that must end their connection (over 16 MiB: 1009; a text frame that is not UTF-8: 1007), on each socket kind. */
async function fuzzClosers(rng: Rng): Promise<void> {
  const big = Buffer.alloc(MAX_FRAME + 1 + rng.int(1024), "x");
  const sockets: Array<[string, string, string[] | undefined]> = [
    ["kernel-json", `api/kernels/${kernelId}/channels?session_id=fuzz-closers`, undefined],
    ["kernel-v1", `api/kernels/${kernelId}/channels?session_id=fuzz-closers`, [V1]],
    ["document", "api/tessera/documents?path=docs/fuzz.ipynb", undefined],
    ["metrics", "api/tessera/metrics", undefined],
  ];
  for (let i = 0; i < CLOSERS; i++) {
    for (const [name, path, protocols] of sockets) {
      const over = await closeCodeFor(
        `${wsBase}${path}`,
        headers,
        i === 0 ? big.subarray(0, MAX_FRAME + 1) : big,
        protocols !== undefined,
        protocols,
      );
      assert.equal(over, 1009, `${name}: a frame of ${big.length} bytes closed with ${over}, not 1009`);
      closes["1009"] = (closes["1009"] ?? 0) + 1;
      const utf8 = await closeCodeFor(`${wsBase}${path}`, headers, invalidUtf8(rng), false, protocols);
      assert.equal(utf8, 1007, `${name}: a text frame that is not UTF-8 closed with ${utf8}, not 1007`);
      closes["1007"] = (closes["1007"] ?? 0) + 1;
    }
  }
}

const parses = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

/** REST workers: random requests until the deadline; a 5xx is recorded with a command that replays it. */
async function fuzzRest(rng: Rng, deadline: number, known: Known, budget: { spawns: number }): Promise<void> {
  const c = count("rest");
  const base = new URL(server.base);
  while (Date.now() < deadline) {
    let req = restRequest(rng, server.token, server.origin, known);
    if (req.spawns && budget.spawns-- <= 0) req = defused(req);
    c.sent++;
    let answer;
    const sentAt = performance.now();
    try {
      answer = await send(base, req);
      const ms = performance.now() - sentAt;
      rest.totalMs += ms;
      rest.maxMs = Math.max(rest.maxMs, ms);
    } catch (err) {
      // A connection the server dropped (it answers a refused body early and stops reading: EPIPE)
      // is allowed; a hang is not, nor a server that no longer listens.
      if (/no answer within/.test((err as Error).message)) throw new Error(`REST hang: ${replayCommand(base, req)}`);
      if ((err as NodeJS.ErrnoException).code === "ECONNREFUSED")
        throw new Error(`the server stopped listening; last request: ${replayCommand(base, req)}`);
      rest.connectionErrors.push(`${(err as Error).message}: ${replayCommand(base, req)}`);
      continue;
    }
    const klass = `${Math.floor(answer.status / 100)}xx`;
    rest.statuses[klass] = (rest.statuses[klass] ?? 0) + 1;
    if (answer.status >= 400) c.errorsAnswered++;
    if (answer.status >= 500)
      rest.fiveHundreds.push(`HTTP ${answer.status} ${answer.body.slice(0, 300)}\n    replay: ${replayCommand(base, req)}`);
    // A success that says JSON must be JSON (a handler returning something unserializable answers 200 with nothing).
    if (
      answer.status < 300 &&
      req.method !== "HEAD" &&
      answer.status !== 204 &&
      answer.contentType.startsWith("application/json") &&
      !parses(answer.body)
    ) {
      rest.badAnswers.push(
        `HTTP ${answer.status} with unreadable JSON ${JSON.stringify(answer.body.slice(0, 100))}\n    replay: ${replayCommand(base, req)}`,
      );
    }
    if (req.spawns && answer.status === 201) {
      rest.kernelsStarted++;
      const model = JSON.parse(answer.body) as { id: string; kernel?: { id: string } };
      if (model.kernel) {
        known.sessions.push(model.id);
        known.kernels.push(model.kernel.id);
      } else known.kernels.push(model.id);
    }
  }
}

/** Samples the server's resident memory until stopped. */
function sampleRss(t0: number): () => Promise<void> {
  let on = true;
  const loop = (async () => {
    while (on) {
      const v = await rssOf(server.pid);
      if (v !== null) {
        rss.peak = Math.max(rss.peak, v);
        rss.series.push([Math.round((Date.now() - t0) / 100) / 10, v]);
      }
      await new Promise((r) => setTimeout(r, size(250, 2000)));
    }
  })();
  return async () => {
    on = false;
    await loop;
  };
}

it(
  `fuzzes kernel channels, the document and metrics sockets and REST for ${SECONDS} s: every bad frame answered, no 5xx`,
  { timeout: (SECONDS + 300) * 1000 },
  async () => {
    rss.before = (await rssOf(server.pid)) ?? 0;
    const t0 = Date.now();
    const deadline = t0 + SECONDS * 1000;
    const stopSampling = sampleRss(t0);
    const known: Known = { kernels: [], sessions: [] };
    const budget = { spawns: SPAWN_BUDGET };
    try {
      await Promise.all([
        fuzzKernel(root.fork(1), "json", deadline),
        fuzzKernel(root.fork(2), "v1", deadline),
        fuzzDocument(root.fork(3), deadline),
        fuzzMetrics(root.fork(4), deadline),
        fuzzClosers(root.fork(5)),
        ...Array.from({ length: REST_WORKERS }, (_, w) => fuzzRest(root.fork(6 + w), deadline, known, budget)),
      ]);
    } catch (err) {
      // The server's own account (a crash's stack) belongs with the failure.
      await new Promise((r) => setTimeout(r, 500));
      if (err instanceof Error) err.message += `\n(seed ${seed}) server stderr (end):\n${server.stderr().slice(-3000)}`;
      throw err;
    } finally {
      fuzzSeconds = Math.round((Date.now() - t0) / 100) / 10;
      await stopSampling();
    }
    assert.deepEqual(rest.fiveHundreds, [], `REST answered 5xx (seed ${seed}):\n  ${rest.fiveHundreds.slice(0, 10).join("\n  ")}`);
    assert.deepEqual(
      rest.badAnswers,
      [],
      `REST answered success with a body that is not the JSON it claims (seed ${seed}):\n  ${rest.badAnswers.slice(0, 10).join("\n  ")}`,
    );
    // The kernels the REST fuzzing started: gone, so they do not slow the checks below.
    for (const id of known.kernels) await server.api(`api/kernels/${id}`, { method: "DELETE" }).catch(() => undefined);
  },
);

it(
  "still serves afterwards: status, the fuzzed kernel computes 1 + 1, the notebook opens, memory bounded, no uncaught exception",
  { timeout: 120_000 },
  async () => {
    assert.equal((await server.api("api/status")).status, 200);

    const ws = await openSocket(`${wsBase}api/kernels/${kernelId}/channels?session_id=after-fuzz`, headers);
    const msgId = `after-${Date.now()}`;
    const header = {
      msg_id: msgId,
      msg_type: "execute_request",
      session: "after-fuzz",
      username: "t",
      date: new Date().toISOString(),
      version: "5.3",
    };
    const content = { code: "1 + 1", silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true };
    ws.send(JSON.stringify({ header, parent_header: {}, metadata: {}, content, channel: "shell", buffers: [] }));
    const result =
      ws.received[
        await waitFor(ws, (m) => m.parent_header?.msg_id === msgId && m.header?.msg_type === "execute_result", "the result of 1 + 1")
      ];
    assert.equal(result.content.data["text/plain"], "2");
    ws.close();

    // A new page still gets the fuzzed document: it is still valid JSON the server can send.
    const doc = await openSocket(`${wsBase}api/tessera/documents?path=docs/fuzz.ipynb`, headers);
    await waitFor(doc, (m) => m.type === "snapshot", "a snapshot of the fuzzed notebook");
    doc.close();

    // What the server holds once idle: the lowest RSS over a few seconds (V8 collects lazily, so
    // one reading right after the run still counts garbage of the last seconds).
    rss.after = Infinity;
    for (const end = Date.now() + size(3000, 15_000); Date.now() < end;) {
      rss.after = Math.min(rss.after, (await rssOf(server.pid)) ?? Infinity);
      await new Promise((r) => setTimeout(r, 500));
    }
    rss.peak = Math.max(rss.peak, rss.after);
    assert.ok(
      rss.after - rss.before < RSS_GROWTH_LIMIT,
      `the server grew by ${mib(rss.after - rss.before)} MiB (from ${mib(rss.before)} to ${mib(rss.after)})`,
    );

    assert.doesNotThrow(() => process.kill(server.pid, 0), "the server process is gone");
    assert.doesNotMatch(server.stderr(), /uncaught|unhandled/i, `the server's stderr:\n${server.stderr().slice(-3000)}`);
  },
);
