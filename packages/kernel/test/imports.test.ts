import assert from "node:assert/strict";
import { join } from "node:path";
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
    const r = await k.execute(
      "import answer, { greet } from 'esm-only';\nimport { extra } from 'esm-only/extra';\n[answer, greet('you'), extra]",
    );
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
    const r = await k.execute(
      "import path from 'node:path';\nimport { EOL } from 'os';\nimport * as fsp from 'node:fs/promises';\n[path.join('a', 'b'), EOL === '\\n', typeof fsp.readFile]",
    );
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

  it("names the cell, not the kernel's own file, when a relative import is missing", async () => {
    const r = await k.execute('import "./missing.js";');
    const count = (r.reply.content as { execution_count: number }).execution_count;
    assert.equal(
      r.error?.evalue,
      `Cannot find module './missing.js' imported from cell In[${count}] (looked for ${join(dir, "missing.js")}; relative imports start in the notebook's folder, ${dir})`,
    );
    assert.doesNotMatch(r.error!.evalue, /modules\.(ts|js)|dist/);
    const dynamic = await k.execute("await import('./lib/nothing')");
    assert.match(
      dynamic.error?.evalue ?? "",
      /^Cannot find module '\.\/lib\/nothing' imported from cell In\[\d+\] \(looked for .*lib[/\\]nothing, and the same with \.js/,
    );
    const bare = await k.execute("import 'no-such-package-either';");
    assert.match(bare.error?.evalue ?? "", /Cannot find module 'no-such-package-either' imported from cell In\[\d+\]/);
    assert.equal((await k.execute("import { local } from './local.mjs';\nlocal")).error, undefined, "a file that is there still imports");
  });
});
