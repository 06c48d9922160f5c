import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { STREAM_CAP_BYTES, STREAM_TAIL_BYTES } from "@tessera/kernel";
import { KernelProcess, type ExecuteResult } from "./kernel-process.ts";

const NOTICE = /\n\[output truncated: ([\d,]+) bytes not shown\]\n/;

function notices(r: ExecuteResult): string[] {
  return r.iopub.flatMap((m) => {
    const text = m.header.msg_type === "stream" ? (m.content as { text: string }).text : "";
    return NOTICE.test(text) ? [text] : [];
  });
}

describe("the stream cap", { timeout: 120_000 }, () => {
  let k: KernelProcess;
  before(async () => {
    k = await KernelProcess.start();
  });
  after(async () => {
    await k.close();
  });

  it("sends a print just past the cap whole, and what came after it", async () => {
    const r = await k.execute("console.log('z'.repeat(17e6));\nconsole.log('AFTER')");
    assert.equal(r.stdout.length, 17e6 + 1 + "AFTER\n".length, "every byte arrived");
    assert.ok(r.stdout.endsWith("z\nAFTER\n"));
    assert.deepEqual(notices(r), [], "nothing was dropped, so no notice");
  });

  it("replaces what falls out of the tail with a notice of its size, and still sends the last words", async () => {
    const r = await k.execute("console.log('y'.repeat(20e6));\nconsole.log('AFTER')");
    const printed = 20e6 + 1 + "AFTER\n".length;
    const dropped = printed - STREAM_CAP_BYTES - STREAM_TAIL_BYTES;
    assert.deepEqual(notices(r), [`\n[output truncated: ${dropped.toLocaleString("en-US")} bytes not shown]\n`]);
    assert.equal(r.stdout.length, STREAM_CAP_BYTES + STREAM_TAIL_BYTES);
    assert.ok(r.stdout.endsWith("y\nAFTER\n"), "AFTER arrived");
    const kinds = r.iopub.map((m) => m.header.msg_type);
    assert.ok(kinds.lastIndexOf("stream") < kinds.lastIndexOf("status"), "before the cell's idle");
  });

  it("starts each cell with a fresh cap", async () => {
    const r = await k.execute("console.log('fresh')");
    assert.equal(r.stdout, "fresh\n");
  });
});
