/**
 * One op table: the codes the addon takes (src/native/ops.h) against their TypeScript mirror
 * (src/ts/opcodes.ts), the dtype codes (common.h against dtype.ts), and the elementwise op
 * tables (src/ts/ops/) against the codes, the methods, the free functions and their docs.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

import * as tt from "../src/ts/index.ts";
import { dtypeCode, type DType } from "../src/ts/dtype.ts";
import { wrappedWithoutOp } from "../src/ts/method-layers.ts";
import { B, NATIVE_ENUMS, U } from "../src/ts/opcodes.ts";
import { BINARY } from "../src/ts/ops/binary-table.ts";
import { UNARY } from "../src/ts/ops/unary-table.ts";
import { BINARY as FUZZED_BINARY, UNARY as FUZZED_UNARY } from "./parity/ops-pointwise.ts";

const pkg = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const OPS_H = path.join(pkg, "src/native/ops.h");

interface CEnum {
  name: string;
  entries: { name: string; value: number }[];
}

/** The enums of a C++ header (plain `enum X : int { A = 0, B, ... }` and `enum class`), values resolved. */
function parseEnums(source: string): CEnum[] {
  const text = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
  const out: CEnum[] = [];
  for (const m of text.matchAll(/\benum\s+(?:class\s+)?(\w+)\s*(?::\s*\w+\s*)?\{([^}]*)\}/g)) {
    let next = 0;
    const entries = m[2]
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean)
      .map((item) => {
        const [name, value] = item.split("=").map((s) => s.trim());
        if (value !== undefined) {
          assert.match(value, /^-?\d+$/, `${m[1]}::${name}: only literal values are understood, got ${value}`);
          next = Number(value);
        }
        return { name, value: next++ };
      });
    out.push({ name: m[1], entries });
  }
  return out;
}

// Where a C++ name is not the TypeScript key spelled in capitals (the method names won).
const ALIASES: Record<string, Record<string, string>> = { BinaryOp: { MAX: "maximum", MIN: "minimum" } };
const squash = (s: string): string => s.replace(/_/g, "").toLowerCase();

/**
 * Every way ops.h and the TypeScript mirrors disagree, as sentences: an enum on one side
 * only, a name on one side only, a value that differs, a *_COUNT sentinel that is missing,
 * not last, or not the number of codes, or codes that do not run 0..COUNT-1.
 */
function drift(header: string, mirrors: Record<string, Record<string, number>>): string[] {
  const problems: string[] = [];
  const enums = parseEnums(header);
  const names = new Set(enums.map((e) => e.name));
  for (const name of Object.keys(mirrors)) if (!names.has(name)) problems.push(`opcodes.ts mirrors ${name}, which ops.h does not have`);
  for (const e of enums) {
    const mirror = mirrors[e.name];
    if (!mirror) {
      problems.push(`ops.h's ${e.name} has no mirror in opcodes.ts (NATIVE_ENUMS)`);
      continue;
    }
    const last = e.entries.at(-1);
    if (!last || !last.name.endsWith("_COUNT")) {
      problems.push(`${e.name}: the last entry must be its *_COUNT sentinel`);
      continue;
    }
    const prefix = last.name.slice(0, -"COUNT".length);
    const codes = e.entries.slice(0, -1);
    const tsKeys = new Map(Object.keys(mirror).map((k) => [k.toLowerCase(), k]));
    const seen = new Set<string>();
    for (const { name, value } of codes) {
      if (!name.startsWith(prefix)) {
        problems.push(`${e.name}::${name}: does not start with ${prefix} (the prefix of ${last.name})`);
        continue;
      }
      const bare = name.slice(prefix.length);
      const key = ALIASES[e.name]?.[bare] ?? tsKeys.get(squash(bare));
      if (key === undefined || !(key in mirror)) {
        problems.push(`${e.name}::${name} (${value}) has no entry in opcodes.ts`);
        continue;
      }
      seen.add(key);
      if (mirror[key] !== value) problems.push(`${e.name}::${name} is ${value} in ops.h but ${mirror[key]} in opcodes.ts (${key})`);
    }
    for (const key of Object.keys(mirror)) if (!seen.has(key)) problems.push(`opcodes.ts's ${key} (${e.name}) is not in ops.h`);
    if (last.value !== Object.keys(mirror).length)
      problems.push(`${e.name}: ${last.name} is ${last.value}, but opcodes.ts has ${Object.keys(mirror).length} codes`);
    const values = codes.map((c) => c.value).sort((a, b) => a - b);
    if (values.some((v, i) => v !== i))
      problems.push(`${e.name}: codes must run 0..${last.name} - 1 without gaps, got ${values.join(", ")}`);
  }
  return problems;
}

test("ops.h and opcodes.ts name the same codes with the same values, *_COUNT included", () => {
  assert.deepEqual(drift(readFileSync(OPS_H, "utf8"), NATIVE_ENUMS), []);
});

test("the drift check catches a changed value, a new code on one side, and a wrong sentinel", () => {
  const header = readFileSync(OPS_H, "utf8");
  // Plants are made with patterns that ignore layout (the formatter may put an enum on one line or many).
  const shifted = header.replace(/U_NEG = 0,\s*U_ABS,/, "U_NEG = 0, U_FLOOR, U_ABS,");
  assert.notEqual(shifted, header, "the plant took");
  assert.match(drift(shifted, NATIVE_ENUMS).join("\n"), /U_FLOOR \(1\) has no entry/);
  assert.match(drift(shifted, NATIVE_ENUMS).join("\n"), /U_ABS is 2 in ops.h but 1 in opcodes.ts/);
  assert.match(drift(shifted, NATIVE_ENUMS).join("\n"), /U_COUNT is 15, but opcodes.ts has 14 codes/);
  const extra = { ...NATIVE_ENUMS, OptimKind: { ...NATIVE_ENUMS.OptimKind, lion: 3 } };
  assert.match(drift(header, extra).join("\n"), /opcodes.ts's lion \(OptimKind\) is not in ops.h/);
  const noSentinel = header.replace(/,\s*HOST_COPY_COUNT/, "");
  assert.notEqual(noSentinel, header, "the plant took");
  assert.match(drift(noSentinel, NATIVE_ENUMS).join("\n"), /HostCopyKind: the last entry must be its \*_COUNT sentinel/);
  const newEnum = header.replace(/}\s*\/\/ namespace tt/, "enum PadKind : int { PAD_ZERO = 0, PAD_COUNT };\n}");
  assert.notEqual(newEnum, header, "the plant took");
  assert.match(drift(newEnum, NATIVE_ENUMS).join("\n"), /PadKind has no mirror/);
});

test("common.h's DType codes are dtype.ts's", () => {
  const [dtype] = parseEnums(readFileSync(path.join(pkg, "src/native/common.h"), "utf8")).filter((e) => e.name === "DType");
  const NAMES: Record<string, DType> = {
    F32: "float32",
    F64: "float64",
    F16: "float16",
    BF16: "bfloat16",
    I32: "int32",
    I64: "int64",
    U8: "uint8",
    Bool: "bool",
  };
  assert.deepEqual(Object.fromEntries(dtype.entries.map((e) => [NAMES[e.name] ?? e.name, e.value])), dtypeCode);
});

test("every unary and binary code has one table record, with its own code", () => {
  assert.deepEqual(Object.keys(UNARY).sort(), Object.keys(U).sort());
  for (const [name, r] of Object.entries(UNARY)) assert.equal(r.code, U[name as keyof typeof U], name);
  assert.deepEqual(Object.keys(BINARY).sort(), Object.keys(B).sort());
  for (const [name, r] of Object.entries(BINARY)) assert.equal(r.code, B[name as keyof typeof B], name);
});

test("the parity fuzzer compares every table op with PyTorch (test/parity/ops-pointwise.ts)", () => {
  const fuzzed = new Set([...FUZZED_UNARY.map(([name]) => name), ...FUZZED_BINARY]);
  assert.deepEqual(
    [...Object.keys(UNARY), ...Object.keys(BINARY)].filter((name) => !fuzzed.has(name)),
    [],
  );
});

test("each record gives a method and a free function that agree", () => {
  assert.deepEqual(wrappedWithoutOp(), []);
  const free = tt as unknown as Record<string, (...args: unknown[]) => tt.Tensor>;
  const x = tt.tensor([0.5, -1.5, 2], { dtype: "float32" });
  const y = tt.tensor([1, 2, -3], { dtype: "float32" });
  for (const name of Object.keys(UNARY) as (keyof typeof UNARY)[]) {
    assert.equal(typeof free[name], "function", `tt.${name} is missing: add it to the free-function list in index.ts`);
    assert.deepEqual(free[name](x).toArray(), x[name]().toArray(), name);
  }
  for (const name of Object.keys(BINARY) as (keyof typeof BINARY)[]) {
    assert.equal(typeof free[name], "function", `tt.${name} is missing: add it to the free-function list in index.ts`);
    assert.deepEqual(free[name](x, y).toArray(), x[name](y).toArray(), name);
  }
});

test("the records' autograd rules and autocast flags reach the methods", () => {
  const x = tt.tensor([0.5, 1.5], { dtype: "float32", requiresGrad: true });
  for (const [name, r] of Object.entries(UNARY)) {
    const out = (x as unknown as Record<string, () => tt.Tensor>)[name]();
    const label = `${name[0].toUpperCase()}${name.slice(1)}Backward`;
    assert.equal(out.gradFn?.name ?? null, "backward" in r ? label : null, name);
  }
  const y = tt.tensor([2, 3], { dtype: "float32", requiresGrad: true });
  for (const [name, r] of Object.entries(BINARY)) {
    const out = (x as unknown as Record<string, (o: tt.Tensor) => tt.Tensor>)[name](y);
    assert.equal(out.gradFn?.name ?? null, "backward" in r ? `${name[0].toUpperCase()}${name.slice(1)}Backward` : null, name);
  }
  const h = tt.ones([2], { dtype: "bfloat16" });
  tt.autocast({ dtype: "bfloat16" }, () => {
    for (const [name, r] of Object.entries(UNARY)) {
      if (name === "logicalNot") continue;
      const want = "autocastFp32" in r ? "float32" : "bfloat16";
      assert.equal((h as unknown as Record<string, () => tt.Tensor>)[name]().dtype, want, name);
    }
    assert.equal(h.pow(2).dtype, "float32");
    assert.equal(h.add(2).dtype, "bfloat16");
  });
});

test("editors show a record's doc for its method (what Monaco gets from the typings)", () => {
  const require = createRequire(import.meta.url);
  const ts = require("typescript") as typeof import("typescript");
  const file = path.join(pkg, "test", "__op_table_probe__.ts");
  const text = `import * as tt from "../src/ts/index.ts";\ndeclare const x: tt.Tensor;\nx.gelu();\nx.maximum(1);\nx.sum();\n`;
  const options: import("typescript").CompilerOptions = {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    allowImportingTsExtensions: true,
    types: ["node"],
    lib: ["lib.es2023.d.ts", "lib.esnext.disposable.d.ts", "lib.dom.d.ts"],
  };
  const service = ts.createLanguageService({
    getScriptFileNames: () => [file],
    getScriptVersion: () => "1",
    getScriptSnapshot: (f) => {
      const body = f === file ? text : ts.sys.readFile(f);
      return body === undefined ? undefined : ts.ScriptSnapshot.fromString(body);
    },
    getCurrentDirectory: () => pkg,
    getCompilationSettings: () => options,
    getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
    fileExists: (f) => f === file || ts.sys.fileExists(f),
    readFile: (f) => (f === file ? text : ts.sys.readFile(f)),
    readDirectory: ts.sys.readDirectory,
    directoryExists: ts.sys.directoryExists,
    getDirectories: ts.sys.getDirectories,
  });
  const hover = (member: string): string => {
    const q = service.getQuickInfoAtPosition(file, text.indexOf(`x.${member}(`) + 2);
    assert.ok(q, member);
    return `${ts.displayPartsToString(q.displayParts)} | ${ts.displayPartsToString(q.documentation)} | ${(q.tags ?? []).map((t) => ts.displayPartsToString(t.text)).join(" ")}`;
  };
  assert.match(
    hover("gelu"),
    /gelu: \(\) => (tt\.)?Tensor \| Exact \(erf\) GELU, as torch\.nn\.functional\.gelu\. \| x\.gelu\(\); tt\.gelu\(x\)/,
  );
  assert.match(hover("maximum"), /maximum: \(other: (tt\.)?TensorLike\) => (tt\.)?Tensor \| Elementwise maximum \(NaN propagates\)\./);
  assert.match(hover("sum"), /Sum over dims/);
  assert.deepEqual(
    service.getSemanticDiagnostics(file).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n")),
    [],
  );
});
