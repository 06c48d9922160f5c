import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FromKernel, JupyterMessage } from "@tessera/protocol";
import { KernelProcess } from "./kernel-process.ts";

const isInputRequest = (m: FromKernel) => m.kind === "jupyter" && m.channel === "stdin" && m.msg.header.msg_type === "input_request";

describe("input()", { timeout: 60_000 }, () => {
  let k: KernelProcess;
  before(async () => {
    k = await KernelProcess.start();
  });
  after(async () => {
    await k.close();
  });

  it("asks the front end with input_request and resumes with the reply", async () => {
    const from = k.received.length;
    const req = k.startExecute("const who = await input('Name? ');\nconst pin = await input.password('PIN: ');\n`${who}:${pin.length}`", {
      allow_stdin: true,
    });
    const first = await k.waitFor(isInputRequest, 10_000, from);
    assert.ok(first.kind === "jupyter");
    assert.deepEqual(first.msg.content, { prompt: "Name? ", password: false });
    assert.equal((first.msg.parent_header as { msg_id: string }).msg_id, req.header.msg_id, "parented to the execute_request");
    k.request("input_reply", { value: "Ada" }, "stdin");
    const second = await k.waitFor((m) => isInputRequest(m) && m !== first, 10_000, from);
    assert.ok(second.kind === "jupyter");
    assert.deepEqual(second.msg.content, { prompt: "PIN: ", password: true });
    k.request("input_reply", { value: "1234" }, "stdin");
    const r = await k.collect(req);
    assert.equal(r.result, "'Ada:4'");
  });

  it("fails clearly when the front end does not allow stdin", async () => {
    const r = await k.execute("await input('x')", { allow_stdin: false });
    assert.equal(r.error?.ename, "StdinNotAllowedError");
    assert.match(r.error?.evalue ?? "", /allow_stdin/);
  });

  it("is interrupted while waiting", async () => {
    const from = k.received.length;
    const req: JupyterMessage = k.startExecute("await input('never answered')", { allow_stdin: true });
    await k.waitFor(isInputRequest, 10_000, from);
    k.interrupt();
    const r = await k.collect(req);
    assert.equal(r.error?.ename, "Interrupted");
    assert.equal((await k.execute("'next'")).result, "'next'");
  });
});
