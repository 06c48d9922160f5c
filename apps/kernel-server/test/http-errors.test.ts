/**
 * The server's one error path and body reading (src/http/), on a Fastify instance set up as
 * app.ts sets up its own: what a thrown HttpError, another library's 4xx and a bug are
 * answered with, what reaches the log, and how bodies of any type are read.
 */
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { after, before, describe, it } from "node:test";
import Fastify, { type FastifyInstance } from "fastify";
import { registerBodyParsers } from "../src/http/body-parsers.js";
import { errorHandler, notFoundHandler } from "../src/http/error-handler.js";
import { HttpError } from "../src/http/http-error.js";
import { ContentsError } from "../src/contents/contents-error.js";

let app: FastifyInstance;
let logged = "";

before(async () => {
  const stream = new Writable({ write: (chunk, _enc, done) => ((logged += String(chunk)), done()) });
  app = Fastify({ logger: { level: "warn", stream } });
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);
  registerBodyParsers(app);
  app.get("/http-error", async () => {
    throw new HttpError(409, "Kernel is busy", "busy");
  });
  app.get("/contents-error", async () => {
    throw new ContentsError(404, 'No such file or directory: "x.txt"');
  });
  app.get("/library-4xx", async () => {
    throw Object.assign(new Error("Range Not Satisfiable"), { status: 416 });
  });
  app.get("/bug", async () => {
    throw new Error("ENOENT: open '/srv/secret/file' ?token=s3cret-value");
  });
  app.post("/echo", async (req) => ({ body: req.body ?? null }));
  await app.ready();
});
after(() => app.close());

async function ask(method: "GET" | "POST", url: string, payload?: string, type?: string) {
  const res = await app.inject({ method, url, payload, headers: type ? { "content-type": type } : {} });
  return { status: res.statusCode, body: res.json() as Record<string, unknown> };
}

describe("the error handler", () => {
  it("answers an HttpError with its status, message and reason; a ContentsError's reason is its status text", async () => {
    assert.deepEqual(await ask("GET", "/http-error"), { status: 409, body: { message: "Kernel is busy", reason: "busy" } });
    assert.deepEqual(await ask("GET", "/contents-error"), {
      status: 404,
      body: { message: 'No such file or directory: "x.txt"', reason: "Not Found" },
    });
  });

  it("keeps another library's 4xx status and message, reason null", async () => {
    assert.deepEqual(await ask("GET", "/library-4xx"), { status: 416, body: { message: "Range Not Satisfiable", reason: null } });
  });

  it("answers a bug 500 'Unhandled error' and logs it with its stack, secrets redacted", async () => {
    logged = "";
    assert.deepEqual(await ask("GET", "/bug"), { status: 500, body: { message: "Unhandled error", reason: null } });
    assert.match(logged, /request failed/);
    assert.match(logged, /ENOENT: open '\/srv\/secret\/file' \?token=\[redacted\]/);
    assert.match(logged, /"stack":"Error: ENOENT/);
    assert.ok(!logged.includes("s3cret-value"), logged);
  });

  it("answers an unknown route 404 naming the path without its query", async () => {
    assert.deepEqual(await ask("GET", "/nope?token=s3cret-value"), {
      status: 404,
      body: { message: "Not found: GET /nope", reason: null },
    });
  });
});

describe("request bodies", () => {
  it("reads JSON whatever the Content-Type, and an empty body as none", async () => {
    assert.deepEqual((await ask("POST", "/echo", '{"a":1}', "application/json")).body, { body: { a: 1 } });
    assert.deepEqual((await ask("POST", "/echo", '{"a":1}', "text/plain;charset=UTF-8")).body, { body: { a: 1 } });
    assert.deepEqual((await ask("POST", "/echo", '{"a":1}', "application/octet-stream")).body, { body: { a: 1 } });
    assert.deepEqual((await ask("POST", "/echo", "", "application/json")).body, { body: null });
    assert.deepEqual((await ask("POST", "/echo", "a=1&b=2", "application/x-www-form-urlencoded")).body, { body: { a: "1", b: "2" } });
  });

  it("refuses malformed JSON and prototype keys with 400", async () => {
    const malformed = await ask("POST", "/echo", "{oops", "application/json");
    assert.equal(malformed.status, 400);
    assert.match(String(malformed.body.message), /^Malformed JSON body: /);
    assert.equal(malformed.body.reason, null);
    for (const text of ['{"__proto__": {"polluted": true}}', '{"constructor": {"prototype": {"polluted": true}}}']) {
      const refused = await ask("POST", "/echo", text, "text/plain");
      assert.equal(refused.status, 400, text);
      assert.match(String(refused.body.message), /__proto__/);
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
