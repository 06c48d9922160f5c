import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { CompleteReplyContent, HistoryReplyContent, InspectReplyContent, IsCompleteReplyContent } from "@tessera/protocol";
import { contentOf, KernelProcess } from "./kernel-process.ts";

describe("completion, inspection, is_complete, history", { timeout: 120_000 }, () => {
  let k: KernelProcess;
  before(async () => {
    k = await KernelProcess.start();
  });
  after(async () => {
    await k.close();
  });

  const complete = async (code: string, cursor = [...code].length) =>
    contentOf<CompleteReplyContent>((await k.settle(k.request("complete_request", { code, cursor_pos: cursor }), 30_000)).reply);
  const inspect = async (code: string, cursor = [...code].length) =>
    contentOf<InspectReplyContent>(
      (await k.settle(k.request("inspect_request", { code, cursor_pos: cursor, detail_level: 0 }), 30_000)).reply,
    );
  const isComplete = async (code: string) =>
    contentOf<IsCompleteReplyContent>((await k.settle(k.request("is_complete_request", { code }))).reply);

  it("completes members after Math.", async () => {
    const c = await complete("Math.");
    assert.equal(c.status, "ok");
    for (const name of ["max", "min", "PI", "sqrt"]) assert.ok(c.matches.includes(name), `missing ${name}`);
    assert.equal(c.cursor_start, 5);
    assert.equal(c.cursor_end, 5);
    const partial = await complete("const y = Math.ma");
    assert.deepEqual(partial.matches, ["max"]);
    assert.equal(partial.cursor_start, 15);
    assert.equal(partial.cursor_end, 17);
  });

  it("knows names and types declared by earlier cells", async () => {
    await k.execute("/** The settings we train with. */\nconst trainingConfig = { learningRate: 0.1, epochs: 3 };");
    const names = await complete("trainingCo");
    assert.ok(names.matches.includes("trainingConfig"));
    assert.equal(names.cursor_start, 0);
    const members = await complete("trainingConfig.");
    assert.deepEqual([...members.matches].sort(), ["epochs", "learningRate"]);
    // A re-declared name has its latest type.
    await k.execute("const trainingConfig = 'now a string';");
    assert.ok((await complete("trainingConfig.toUpp")).matches.includes("toUpperCase"));
  });

  it("counts the cursor in code points", async () => {
    const code = "const s = '🙂🙂'; Math.ab";
    const c = await complete(code);
    assert.deepEqual(c.matches, ["abs"]);
    assert.equal(c.cursor_end, [...code].length);
    assert.equal(c.cursor_start, [...code].length - 2);
  });

  it("inspects with the signature and the doc comment", async () => {
    const max = await inspect("Math.max");
    assert.equal(max.found, true);
    assert.match(String(max.data["text/plain"]), /max\(\.\.\.values: number\[\]\): number/);
    assert.match(String(max.data["text/markdown"]), /```typescript/);
    await k.execute("/** Adds two numbers. */\nfunction addUp(a: number, b: number) { return a + b }");
    const mine = await inspect("addUp(");
    assert.match(String(mine.data["text/plain"]), /function addUp\(a: number, b: number\): number/);
    assert.match(String(mine.data["text/plain"]), /Adds two numbers\./);
    const none = await inspect("   ");
    assert.equal(none.found, false);
  });

  it("tells complete from incomplete and invalid code", async () => {
    assert.equal((await isComplete("let a = 1")).status, "complete");
    for (const code of ["f(1, ", "if (x) {", "const s = `abc", "let s = 'abc", "/* comment", "[1, 2"]) {
      assert.equal((await isComplete(code)).status, "incomplete", code);
    }
    assert.equal((await isComplete("if (x) {")).indent, "  ");
    assert.equal((await isComplete("}")).status, "invalid");
  });

  it("answers history requests for this session", async () => {
    await k.execute("'history one'");
    await k.execute("'history two'");
    const tail = contentOf<HistoryReplyContent>(
      (await k.settle(k.request("history_request", { hist_access_type: "tail", n: 2, output: true, raw: true }))).reply,
    );
    assert.equal(tail.history.length, 2);
    assert.deepEqual(tail.history[0][2], ["'history one'", "'history one'"]);
    const [, lastLine] = tail.history[1];
    const range = contentOf<HistoryReplyContent>(
      (
        await k.settle(
          k.request("history_request", {
            hist_access_type: "range",
            session: 0,
            start: lastLine,
            stop: lastLine + 1,
            output: false,
            raw: true,
          }),
        )
      ).reply,
    );
    assert.deepEqual(
      range.history.map((h) => h[2]),
      ["'history two'"],
    );
    const search = contentOf<HistoryReplyContent>(
      (await k.settle(k.request("history_request", { hist_access_type: "search", pattern: "*history t*", output: false, raw: true })))
        .reply,
    );
    assert.deepEqual(
      search.history.map((h) => h[2]),
      ["'history two'"],
    );
  });
});
