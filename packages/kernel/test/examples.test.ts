/**
 * The notebooks in examples/ run top to bottom in a real kernel, as a user would run them
 * from the page, in a scratch copy of the folder (they write checkpoint files).
 */
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { joinSource, type Notebook } from "@tessera/protocol";

import { KernelProcess } from "./kernel-process.js";

const EXAMPLES = fileURLToPath(new URL("../../../examples/", import.meta.url));
const CELL_TIMEOUT_MS = 5 * 60_000;

/** Runs every code cell in order; fails on the first error with its traceback. */
async function runNotebook(dir: string, name: string): Promise<string> {
  const nb = JSON.parse(readFileSync(path.join(dir, name), "utf8")) as Notebook;
  const k = await KernelProcess.start(dir);
  try {
    let stdout = "";
    for (const cell of nb.cells) {
      if (cell.cell_type !== "code") continue;
      const r = await k.execute(joinSource(cell.source), {}, CELL_TIMEOUT_MS);
      if (r.error) assert.fail(`${name}: ${r.error.ename}: ${r.error.evalue}\n${r.error.traceback.join("\n")}`);
      stdout += r.stdout;
    }
    return stdout;
  } finally {
    await k.close();
  }
}

describe("examples", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), "tessera-examples-"));
    cpSync(EXAMPLES, dir, { recursive: true });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("mnist-mlp reaches at least 97% test accuracy and saves its weights", async () => {
    const out = await runNotebook(dir, "mnist-mlp.ipynb");
    const m = /test accuracy: ([\d.]+)%/.exec(out);
    assert.ok(m, `no accuracy line in:\n${out}`);
    assert.ok(Number(m[1]) >= 97, `test accuracy ${m[1]}% is below 97%`);
    assert.ok(readFileSync(path.join(dir, "mnist-mlp.safetensors")).length > 2_000_000);
  });

  it("mnist-cnn trains and classifies", async () => {
    const out = await runNotebook(dir, "mnist-cnn.ipynb");
    const accs = [...out.matchAll(/test accuracy ([\d.]+)%/g)].map((m) => Number(m[1]));
    assert.equal(accs.length, 3, out);
    assert.ok(accs[2] >= 96, `test accuracy ${accs[2]}% after 3 epochs`);
  });

  it("tiny-transformer's loss falls and it samples text from a prompt", async () => {
    const out = await runNotebook(dir, "tiny-transformer.ipynb");
    const losses = [...out.matchAll(/step \d+: loss ([\d.]+)/g)].map((m) => Number(m[1]));
    assert.equal(losses.length, 7, out);
    // From about ln(55) ≈ 4 (uniform over the characters) to well below it.
    assert.ok(losses[6] < losses[0] * 0.6, `loss went ${losses[0]} → ${losses[6]}`);
    assert.match(out, /Shall I compare thee/);
  });
});
