import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { KernelProcess, plain } from "./kernel-process.ts";

const countOf = (r: { reply: { content: unknown } }) => (r.reply.content as { execution_count: number }).execution_count;

describe("errors", { timeout: 120_000 }, () => {
  let k: KernelProcess;
  before(async () => {
    k = await KernelProcess.start();
  });
  after(async () => {
    await k.close();
  });

  it("maps a runtime error to the cell's own lines, across cells", async () => {
    // Types, blank lines and a comment make generated and original lines differ.
    const define = await k.execute(
      "interface Opts { limit: number }\n\n// checks the limit\nfunction check(x: number, o: Opts = { limit: 1 }): void {\n  if (x > o.limit) {\n    throw new RangeError(`too big: ${x}`);\n  }\n}",
    );
    const r = await k.execute("const big: number = 5;\n\ncheck(big)");
    assert.ok(r.error);
    assert.equal(r.error.ename, "RangeError");
    assert.equal(r.error.evalue, "too big: 5");
    const tb = plain(r.error.traceback.join("\n"));
    assert.match(tb, new RegExp(`at check \\(cell In\\[${countOf(define)}\\]:6:11\\)`));
    assert.match(tb, new RegExp(`at cell In\\[${countOf(r)}\\]:3:1`));
    assert.doesNotMatch(tb, /tessera-cell|node:inspector|dist[/\\]|tessera:evaluate|node:vm/, "no generated or kernel frames");
    const reply = r.reply.content as { status: string; ename: string };
    assert.equal(reply.status, "error");
    assert.equal(reply.ename, "RangeError");
  });

  it("reports a TypeScript syntax error with its line and column, without running", async () => {
    const r = await k.execute("let ran = 'yes';\nlet broken = (1 + ;\n");
    assert.ok(r.error);
    assert.equal(r.error.ename, "SyntaxError");
    const tb = plain(r.error.traceback.join("\n"));
    assert.match(tb, new RegExp(`cell In\\[${countOf(r)}\\]:2:`));
    assert.ok((await k.execute("typeof ran")).result === "'undefined'", "nothing of the cell ran");
  });

  it("maps a syntax error that V8 finds to the cell's line", async () => {
    const r = await k.execute("// a comment\nlet dup = 1;\nlet dup = 2;");
    assert.ok(r.error);
    assert.equal(r.error.ename, "SyntaxError");
    assert.match(r.error.evalue, /dup/);
    assert.match(plain(r.error.traceback.join("\n")), new RegExp(`cell In\\[${countOf(r)}\\]:3:5`));
  });

  it("maps err.stack inside cells too", async () => {
    const r = await k.execute("let caught = '';\ntry {\n  (null as any).x;\n} catch (e) {\n  caught = (e as Error).stack!;\n}\ncaught");
    assert.match(r.result ?? "", /TypeError: Cannot read properties of null[\s\S]*cell In\[\d+\]:3:17/);
  });

  it("reports thrown non-errors", async () => {
    const r = await k.execute("throw { code: 7 }");
    assert.ok(r.error);
    assert.match(r.error.evalue, /code: 7/);
  });

  it("aborts queued executions after an error (stop_on_error), and not without it", async () => {
    const failing = k.startExecute("throw new Error('first')");
    const queued = k.startExecute("'should not run'");
    const f = await k.collect(failing);
    const q = await k.collect(queued);
    assert.equal((f.reply.content as { status: string }).status, "error");
    assert.equal((q.reply.content as { status: string }).status, "aborted");
    assert.equal(q.result, undefined);

    const lenient = k.startExecute("throw new Error('second')", { stop_on_error: false });
    const next = k.startExecute("'runs anyway'");
    await k.collect(lenient);
    assert.equal((await k.collect(next)).result, "'runs anyway'");
    // A request sent after the error was seen runs normally.
    assert.equal((await k.execute("'fine'")).result, "'fine'");
  });

  it("sends errors thrown in callbacks to the cell that scheduled them", async () => {
    const req = k.startExecute(
      "setTimeout(() => { throw new Error('from a timer') }, 20);\nPromise.reject(new Error('unhandled'));\n'scheduled'",
    );
    const r = await k.collect(req);
    assert.equal(r.result, "'scheduled'");
    const isErr = (text: string) => (m: import("@tessera/protocol").FromKernel) =>
      m.kind === "jupyter" && m.msg.header.msg_type === "stream" && (m.msg.content as { text: string }).text.includes(text);
    for (const text of ["from a timer", "unhandled"]) {
      const m = await k.waitFor(isErr(text));
      assert.ok(m.kind === "jupyter");
      assert.equal((m.msg.parent_header as { msg_id: string }).msg_id, req.header.msg_id);
      assert.equal((m.msg.content as { name: string }).name, "stderr");
    }
    assert.equal((await k.execute("'still alive'")).result, "'still alive'");
  });
});
