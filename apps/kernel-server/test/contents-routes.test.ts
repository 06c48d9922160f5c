import assert from "node:assert/strict";
import { request } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import Fastify from "fastify";
import type { FastifyInstance } from "fastify";
import { ContentsManager as LabContents, ServerConnection } from "@jupyterlab/services";
import type { CheckpointModel, ContentsModel, Notebook, RestError } from "@tessera/protocol";
import { ContentsManager, contentsRoutes } from "../src/contents/index.js";
import { registerBodyParsers } from "../src/http/body-parsers.js";
import { errorHandler } from "../src/http/error-handler.js";

let base: string;
let root: string;
let outside: string;
let app: FastifyInstance;
let origin: string;

before(async () => {
  base = await mkdtemp(join(tmpdir(), "tessera-routes-"));
  root = join(base, "root");
  outside = join(base, "outside");
  await mkdir(root);
  await mkdir(outside);
  await writeFile(join(outside, "secret.txt"), "top secret");
  await symlink(outside, join(root, "link-out"));
  // The plugin as app.ts registers it: behind the app's body parsers and error handler.
  app = Fastify();
  app.setErrorHandler(errorHandler);
  registerBodyParsers(app);
  await app.register(contentsRoutes, { contents: new ContentsManager(root, { maxFileSize: 4 * 1024 * 1024 }) });
  await app.listen({ host: "127.0.0.1", port: 0 });
  origin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
after(async () => {
  await app.close();
  await rm(base, { recursive: true, force: true });
});

interface Reply<T> {
  status: number;
  headers: Headers;
  body: T;
}

const enc = (path: string) => path.split("/").map(encodeURIComponent).join("/");

async function api<T = ContentsModel>(method: string, path: string, body?: unknown, raw?: string): Promise<Reply<T>> {
  const res = await fetch(`${origin}${path}`, {
    method,
    headers: body !== undefined || raw !== undefined ? { "content-type": "application/json" } : {},
    body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as T };
}

/** A request with the path sent exactly as written (fetch would normalize "%2e%2e"). */
function rawRequest(method: string, path: string, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${origin}${path}`, { method, headers: body ? { "content-type": "application/json" } : {} }, (res) => {
      let data = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (data += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: data }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

function assertError(reply: Reply<unknown>, status: number, message?: RegExp): void {
  assert.equal(reply.status, status, JSON.stringify(reply.body));
  const body = reply.body as RestError;
  assert.equal(typeof body.message, "string");
  assert.ok("reason" in body);
  if (message) assert.match(body.message, message);
  assert.ok(!JSON.stringify(body).includes(base), "the error reveals a server path");
}

const nb = (source: string) => ({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [{ cell_type: "code", source }] });

describe("contents routes", () => {
  it("gets the root at /api/contents and /api/contents/", async () => {
    for (const url of ["/api/contents", "/api/contents/", "/api/contents?content=1&1700000000000"]) {
      const r = await api("GET", url);
      assert.equal(r.status, 200);
      assert.equal(r.body.type, "directory");
      assert.equal(r.body.path, "");
      assert.ok(Array.isArray(r.body.content));
    }
    const meta = await api("GET", "/api/contents?content=0");
    assert.equal(meta.body.content, null);
    assert.equal(meta.headers.get("cache-control"), "no-store");
  });

  it("saves with PUT (201 new, 200 replaced) and reads back with GET", async () => {
    const created = await api("PUT", "/api/contents/a.ipynb", { type: "notebook", content: nb("1 + 1") });
    assert.equal(created.status, 201);
    assert.equal(created.headers.get("location"), "/api/contents/a.ipynb");
    assert.equal(created.body.content, null);
    const updated = await api("PUT", "/api/contents/a.ipynb", { type: "notebook", content: nb("2 + 2") });
    assert.equal(updated.status, 200);
    const got = await api("GET", "/api/contents/a.ipynb");
    assert.equal(got.status, 200);
    assert.ok(got.headers.get("last-modified"));
    const content = got.body.content as Notebook;
    assert.equal(content.cells[0].source, "2 + 2");
    assert.match(content.cells[0].id, /^[\w-]+$/);

    await api("PUT", "/api/contents/t.txt", { type: "file", format: "text", content: "hi" });
    const file = await api("GET", "/api/contents/t.txt?type=file&format=base64&hash=1");
    assert.equal(file.body.format, "base64");
    assert.equal(Buffer.from(file.body.content as string, "base64").toString(), "hi");
    assert.match(file.body.hash ?? "", /^[0-9a-f]{64}$/);
    const unknownType = await api("GET", "/api/contents/t.txt?type=spreadsheet");
    assert.equal(unknownType.body.type, "file", "an unknown type falls back to file, as Jupyter");

    assertError(await api("GET", "/api/contents/t.txt?format=xml"), 400, /Format "xml" is invalid/);
    assertError(await api("GET", "/api/contents/t.txt?content=2"), 400);
    assertError(await api("GET", "/api/contents/t.txt?hash=yes"), 400);
    assertError(await api("GET", "/api/contents/?type=file"), 400, /is a directory/);
    assertError(await api("GET", "/api/contents/missing.txt"), 404, /No such file/);
  });

  it("creates untitled entities with POST, with a Location header", async () => {
    await api("PUT", "/api/contents/new", { type: "directory" });
    const first = await api("POST", "/api/contents/new", { type: "notebook" });
    assert.equal(first.status, 201);
    assert.equal(first.body.path, "new/Untitled.ipynb");
    assert.equal(first.headers.get("location"), "/api/contents/new/Untitled.ipynb");
    assert.equal((await api("POST", "/api/contents/new", { type: "notebook" })).body.path, "new/Untitled1.ipynb");
    const folder = await api("POST", "/api/contents/new", { type: "directory" });
    assert.equal(folder.headers.get("location"), "/api/contents/new/Untitled%20Folder");
    assert.equal((await api("POST", "/api/contents/new", { ext: ".txt" })).body.path, "new/untitled.txt");
    assert.equal((await api("POST", "/api/contents/new", undefined, "")).body.path, "new/untitled");
    assertError(await api("POST", "/api/contents/new/untitled.txt", {}), 400, /use PUT/);
    assertError(await api("POST", "/api/contents/nowhere", { type: "notebook" }), 404);
    assertError(await api("POST", "/api/contents/new", { ext: 5 }), 400);
  });

  it("copies with POST {copy_from} and with PUT {copy_from}", async () => {
    await api("PUT", "/api/contents/src.txt", { type: "file", format: "text", content: "copy me" });
    const copy = await api("POST", "/api/contents/", { copy_from: "src.txt" });
    assert.equal(copy.status, 201);
    assert.equal(copy.body.path, "src-Copy1.txt");
    assert.equal(copy.headers.get("location"), "/api/contents/src-Copy1.txt");
    const exact = await api("PUT", "/api/contents/exact.txt", { copy_from: "src.txt" });
    assert.equal(exact.status, 201);
    assert.equal(await readFile(join(root, "exact.txt"), "utf8"), "copy me");
    assertError(await api("POST", "/api/contents/", { copy_from: "../outside/secret.txt" }), 404);
  });

  it("renames with PATCH and deletes with DELETE", async () => {
    await api("PUT", "/api/contents/old.txt", { type: "file", format: "text", content: "x" });
    await api("PUT", "/api/contents/taken.txt", { type: "file", format: "text", content: "y" });
    const moved = await api("PATCH", "/api/contents/old.txt", { path: "renamed.txt" });
    assert.equal(moved.status, 200);
    assert.equal(moved.body.path, "renamed.txt");
    assert.equal(moved.headers.get("location"), "/api/contents/renamed.txt");
    assertError(await api("PATCH", "/api/contents/renamed.txt", { path: "taken.txt" }), 409, /already exists/);
    assertError(await api("PATCH", "/api/contents/renamed.txt", undefined), 400, /JSON body missing/);
    assertError(await api("PATCH", "/api/contents/renamed.txt", { path: 7 }), 400);
    const del = await fetch(`${origin}/api/contents/renamed.txt`, { method: "DELETE" });
    assert.equal(del.status, 204);
    assert.equal(await del.text(), "");
    assertError(await api("DELETE", "/api/contents/renamed.txt"), 404);
    assertError(await api("DELETE", "/api/contents/"), 400);
  });

  it("creates, lists, restores and deletes checkpoints", async () => {
    await api("PUT", "/api/contents/ck.txt", { type: "file", format: "text", content: "v1" });
    // Jupyter clients send Content-Type: application/json with no body here.
    const made = await api<CheckpointModel>("POST", "/api/contents/ck.txt/checkpoints", undefined, "");
    assert.equal(made.status, 201);
    assert.equal(made.body.id, "checkpoint");
    assert.equal(made.headers.get("location"), "/api/contents/ck.txt/checkpoints/checkpoint");
    const list = await api<CheckpointModel[]>("GET", "/api/contents/ck.txt/checkpoints");
    assert.deepEqual(
      list.body.map((c) => c.id),
      ["checkpoint"],
    );
    await api("PUT", "/api/contents/ck.txt", { type: "file", format: "text", content: "v2" });
    const restored = await api("POST", "/api/contents/ck.txt/checkpoints/checkpoint");
    assert.equal(restored.status, 204);
    assert.equal(await readFile(join(root, "ck.txt"), "utf8"), "v1");
    assert.equal((await api("DELETE", "/api/contents/ck.txt/checkpoints/checkpoint")).status, 204);
    assertError(await api("DELETE", "/api/contents/ck.txt/checkpoints/checkpoint"), 404);
    assertError(await api("POST", "/api/contents/ck.txt/checkpoints/nope"), 404);
    assert.deepEqual((await api<CheckpointModel[]>("GET", "/api/contents/ck.txt/checkpoints")).body, []);
    assertError(await api("PUT", "/api/contents/ck.txt/checkpoints"), 405);
  });

  it("takes URL-encoded spaces and unicode in every segment", async () => {
    const dir = "dír wïth spaces ✓";
    const file = `${dir}/ünï côdé 日本語 #?%.ipynb`;
    assert.equal((await api("PUT", `/api/contents/${enc(dir)}`, { type: "directory" })).status, 201);
    const saved = await api("PUT", `/api/contents/${enc(file)}`, { type: "notebook", content: nb("'✓'") });
    assert.equal(saved.status, 201);
    assert.equal(saved.body.path, file);
    assert.equal(saved.headers.get("location"), `/api/contents/${enc(file)}`);
    const got = await api("GET", `/api/contents/${enc(file)}`);
    assert.equal((got.body.content as Notebook).cells[0].source, "'✓'");
    const cp = await api<CheckpointModel>("POST", `/api/contents/${enc(file)}/checkpoints`);
    assert.equal(cp.status, 201);
    assert.deepEqual(await readdir(join(root, dir, ".ipynb_checkpoints")), ["ünï côdé 日本語 #?%-checkpoint.ipynb"]);
    const listing = await api("GET", `/api/contents/${enc(dir)}`);
    assert.deepEqual(
      (listing.body.content as ContentsModel[]).map((c) => c.name),
      ["ünï côdé 日本語 #?%.ipynb"],
    );
  });

  it("refuses path escapes: .., %2e%2e, absolute paths, symlinks out", async () => {
    const attempts: [string, string, string?][] = [
      ["GET", "/api/contents/../../outside/secret.txt"],
      ["GET", "/api/contents/%2e%2e/outside/secret.txt"],
      ["GET", "/api/contents/%2E%2E%2Foutside%2Fsecret.txt"],
      ["GET", "/api/contents/..%2foutside/secret.txt"],
      ["GET", "/api/contents//etc/passwd"],
      ["GET", `/api/contents/${encodeURIComponent(join(outside, "secret.txt"))}`],
      ["GET", "/api/contents/link-out/secret.txt"],
      ["GET", "/api/contents/a%00b"],
      ["PUT", "/api/contents/%2e%2e/outside/pwned.txt", '{"type":"file","format":"text","content":"x"}'],
      ["PUT", "/api/contents/link-out/pwned.txt", '{"type":"file","format":"text","content":"x"}'],
      ["POST", "/api/contents/%2e%2e/outside", '{"type":"notebook"}'],
      ["PATCH", "/api/contents/a.ipynb", '{"path":"../outside/a.ipynb"}'],
      ["DELETE", "/api/contents/%2e%2e/outside/secret.txt"],
      ["DELETE", "/api/contents/link-out/secret.txt"],
      ["POST", "/api/contents/link-out/secret.txt/checkpoints"],
    ];
    for (const [method, path, body] of attempts) {
      const r = await rawRequest(method, path, body);
      assert.ok(r.status === 404 || r.status === 400, `${method} ${path}: ${r.status} ${r.body}`);
      assert.ok(!r.body.includes(base) && !r.body.includes("top secret"), `${method} ${path}: ${r.body}`);
    }
    assert.deepEqual(await readdir(outside), ["secret.txt"]);
    assert.equal(await readFile(join(outside, "secret.txt"), "utf8"), "top secret");
  });

  it("answers malformed and oversized bodies with a 4xx {message, reason}", async () => {
    assertError(await api("PUT", "/api/contents/m.txt", undefined, "{not json"), 400);
    assertError(await api("PUT", "/api/contents/m.txt", undefined, "[1,2]"), 400, /JSON object/);
    assertError(await api("PUT", "/api/contents/m.txt", undefined, '"text"'), 400);
    assertError(await api("PUT", "/api/contents/m.ipynb", { type: "notebook", content: { cells: 1 } }), 400);
    assertError(await api("PUT", "/api/contents/m.txt", { type: "file", content: "x", format: "rot13" }), 400);
    assertError(await api("PUT", "/api/contents/m.txt", undefined, '{"__proto__": {"polluted": true}}'), 400);
    const huge = JSON.stringify({ type: "file", format: "text", content: "x".repeat(7 * 1024 * 1024) });
    assertError(await api("PUT", "/api/contents/m.txt", undefined, huge), 413);
    const justOver = JSON.stringify({ type: "file", format: "text", content: "x".repeat(4 * 1024 * 1024 + 1) });
    assertError(await api("PUT", "/api/contents/m.txt", undefined, justOver), 413, /too large/);
    // Jupyter reads a body as JSON whatever its Content-Type (browsers send strings as text/plain).
    const plain = await fetch(`${origin}/api/contents/plain.txt`, {
      method: "PUT",
      body: JSON.stringify({ type: "file", format: "text", content: "plain" }),
    });
    assert.equal(plain.status, 201);
    assert.equal(await readFile(join(root, "plain.txt"), "utf8"), "plain");
    const csv = await fetch(`${origin}/api/contents/m.txt`, { method: "PUT", body: "x", headers: { "content-type": "text/csv" } });
    assert.equal(csv.status, 400);
  });
});

describe("the official @jupyterlab/services client", () => {
  it("saves, reloads, renames, copies, checkpoints and restores a notebook", async () => {
    const serverSettings = ServerConnection.makeSettings({ baseUrl: `${origin}/`, wsUrl: origin.replace("http", "ws") });
    const lab = new LabContents({ serverSettings });
    await lab.save("lab", { type: "directory" });
    const created = await lab.newUntitled({ path: "lab", type: "notebook" });
    assert.equal(created.path, "lab/Untitled.ipynb");
    const content = { ...nb("const x = 1;\nx"), metadata: { kernelspec: { name: "typescript", display_name: "TS" } } };
    await lab.save(created.path, { type: "notebook", format: "json", content });
    const checkpoint = await lab.createCheckpoint(created.path);
    assert.equal(checkpoint.id, "checkpoint");
    await lab.save(created.path, { type: "notebook", format: "json", content: nb("changed") });
    await lab.restoreCheckpoint(created.path, checkpoint.id);
    const reloaded = await lab.get(created.path, { content: true });
    assert.equal((reloaded.content as Notebook).cells[0].source, "const x = 1;\nx");
    assert.deepEqual(
      (await lab.listCheckpoints(created.path)).map((c) => c.id),
      ["checkpoint"],
    );

    const renamed = await lab.rename(created.path, "lab/mnist run.ipynb");
    assert.equal(renamed.path, "lab/mnist run.ipynb");
    const copied = await lab.copy(renamed.path, "lab");
    assert.equal(copied.path, "lab/mnist run-Copy1.ipynb");
    const dir = await lab.get("lab");
    assert.deepEqual((dir.content as ContentsModel[]).map((c) => c.name).sort(), ["mnist run-Copy1.ipynb", "mnist run.ipynb"]);
    await lab.deleteCheckpoint(renamed.path, "checkpoint");
    await lab.delete(copied.path);
    await assert.rejects(lab.get(copied.path), (err: Error) => /does not exist|No such file/.test(err.message));
    lab.dispose();
  });
});
