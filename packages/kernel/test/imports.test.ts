import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { makeNotebookDir, removeDir } from "./fixtures.ts";
import { KernelProcess, plain } from "./kernel-process.ts";

describe("imports in cells", { timeout: 120_000 }, () => {
  let k: KernelProcess;
  let dir: string;
  before(async () => {
    dir = makeNotebookDir();
    k = await KernelProcess.start(dir);
  });
  after(async () => {
    await k.close();
    removeDir(dir);
  });

  it("imports an ESM-only package from the notebook folder", async () => {
    const r = await k.execute("import answer, { greet } from 'esm-only';\nimport { extra } from 'esm-only/extra';\n[answer, greet('you'), extra]");
    assert.equal(r.error, undefined, r.error && plain(r.error.traceback.join("\n")));
    assert.equal(r.result, "[ 42, 'hello you', 'from a subpath' ]");
    // An ESM-only package really cannot be required: the test would prove nothing otherwise.
    const req = await k.execute("require('esm-only')");
    assert.ok(req.error, "require of an import-only package must fail");
  });

  it("imports namespaces, CommonJS packages, local modules and dynamic imports", async () => {
    const r = await k.execute(
      "import * as ns from 'esm-only';\nimport cjs from 'cjs-pkg';\nimport { local } from './local.mjs';\nconst dyn = await import('esm-only');\n[ns.default, cjs.add(1, 2), local, dyn.greet('d')]",
    );
    assert.equal(r.error, undefined, r.error && plain(r.error.traceback.join("\n")));
    assert.equal(r.result, "[ 42, 3, 'local module', 'hello d' ]");
  });

  it("imports node: builtins and bare builtin names", async () => {
    const r = await k.execute("import path from 'node:path';\nimport { EOL } from 'os';\nimport * as fsp from 'node:fs/promises';\n[path.join('a', 'b'), EOL === '\\n', typeof fsp.readFile]");
    assert.equal(r.result, "[ 'a/b', true, 'function' ]");
  });

  it("falls back to packages the kernel itself can reach", async () => {
    const r = await k.execute("import { PROTOCOL_VERSION } from '@tessera/protocol';\nPROTOCOL_VERSION");
    assert.equal(r.error, undefined, r.error && plain(r.error.traceback.join("\n")));
    assert.equal(r.result, "'5.3'");
  });

  it("drops type-only imports and export keywords", async () => {
    const r = await k.execute(
      "import type { Stats } from 'node:fs';\nimport { type Dirent, statSync } from 'node:fs';\nexport const exported: number = 1;\nexport function helper() { return 2 }\nexport { exported as again };\nexported + helper() + (typeof statSync === 'function' ? 1 : 0)",
    );
    assert.equal(r.error, undefined, r.error && plain(r.error.traceback.join("\n")));
    assert.equal(r.result, "4");
    assert.equal((await k.execute("exported")).result, "1");
  });

  it("re-runs a cell with imports (its consts are declared again)", async () => {
    const code = "import { greet as g2 } from 'esm-only';\ng2('again')";
    assert.equal((await k.execute(code)).result, "'hello again'");
    assert.equal((await k.execute(code)).result, "'hello again'");
  });

  it("names a missing package in the error", async () => {
    const r = await k.execute("import nothing from 'no-such-package-here';");
    assert.ok(r.error);
    assert.match(r.error.evalue, /no-such-package-here/);
    assert.ok(plain(r.error.traceback.join("\n")).includes("cell In["), "the traceback points at the cell");
    const hidden = await k.execute("import secret from 'esm-only/lib/index.js';");
    assert.match(hidden.error?.evalue ?? "", /esm-only[\s\S]*exports/, "a path outside the exports map is refused");
  });
});
