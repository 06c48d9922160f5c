import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, readdir, realpath, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Notebook } from "@tessera/protocol";
import { ContentsError, ContentsManager } from "../src/contents/index.js";

let root: string;
let contents: ContentsManager;

before(async () => {
  root = await mkdtemp(join(tmpdir(), "tessera-contents-"));
  contents = new ContentsManager(root);
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Asserts that `promise` rejects with a ContentsError of `status`, and returns it. */
async function rejectsWith(promise: Promise<unknown>, status: number): Promise<ContentsError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof ContentsError, `expected a ContentsError, got ${String(err)}`);
    assert.equal(err.status, status, err.message);
    assert.ok(!err.message.includes(root), `message reveals the root: ${err.message}`);
    return err;
  }
  assert.fail(`expected a ${status} error`);
}

function notebook(cells: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { nbformat: 4, nbformat_minor: 4, metadata: {}, cells, ...extra };
}

describe("ContentsManager: files and directories", () => {
  it("saves and gets a text file, with size, mimetype, dates and hash", async () => {
    const saved = await contents.save("hello.ts", { type: "file", format: "text", content: "const x = 1;\n" });
    assert.equal(saved.content, null);
    assert.equal(saved.format, null);
    assert.equal(saved.type, "file");
    assert.equal(saved.name, "hello.ts");
    assert.equal(await readFile(join(root, "hello.ts"), "utf8"), "const x = 1;\n");

    const model = await contents.get("hello.ts", { hash: true });
    assert.equal(model.content, "const x = 1;\n");
    assert.equal(model.format, "text");
    assert.equal(model.mimetype, "text/typescript");
    assert.equal(model.size, 13);
    assert.equal(model.writable, true);
    assert.match(model.last_modified, /^\d{4}-\d\d-\d\dT.*Z$/);
    assert.match(model.created, /^\d{4}-\d\d-\d\dT.*Z$/);
    assert.equal(model.hash_algorithm, "sha256");
    assert.equal(model.hash, createHash("sha256").update("const x = 1;\n").digest("hex"));
    const noContent = await contents.get("hello.ts", { content: false, hash: true });
    assert.equal(noContent.content, null);
    assert.equal(noContent.hash, model.hash, "streamed hash equals the in-memory one");
  });

  it("reads binary files as base64 and refuses format=text for them", async () => {
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xff, 0x00, 0xfe]);
    await contents.save("img.png", { type: "file", format: "base64", content: bytes.toString("base64") });
    assert.deepEqual(await readFile(join(root, "img.png")), bytes);
    const model = await contents.get("img.png");
    assert.equal(model.format, "base64");
    assert.equal(model.mimetype, "image/png");
    assert.deepEqual(Buffer.from(model.content as string, "base64"), bytes);
    await writeFile(join(root, "blob"), bytes);
    assert.equal((await contents.get("blob")).mimetype, "application/octet-stream");
    const err = await rejectsWith(contents.get("img.png", { format: "text" }), 400);
    assert.match(err.message, /not UTF-8/);
    await rejectsWith(contents.save("bad.bin", { type: "file", format: "base64", content: "@@not base64@@" }), 400);
    await rejectsWith(contents.save("bad.txt", { type: "file", format: "utf-16", content: "x" }), 400);
    await rejectsWith(contents.save("bad.txt", { type: "file", content: 42 }), 400);
  });

  it("keeps a UTF-8 byte order mark through a read and save", async () => {
    await writeFile(join(root, "bom.csv"), "\ufeffa,b\n");
    const model = await contents.get("bom.csv");
    await contents.save("bom.csv", { type: "file", format: "text", content: model.content });
    assert.deepEqual([...(await readFile(join(root, "bom.csv"))).subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  });

  it("lists a directory without hidden names, with child models without content", async () => {
    await contents.save("listing", { type: "directory" });
    await writeFile(join(root, "listing", "b.txt"), "b");
    await writeFile(join(root, "listing", "a.ipynb"), JSON.stringify(notebook([])));
    await writeFile(join(root, "listing", ".secret"), "hidden");
    await writeFile(join(root, "listing", "cache.pyc"), "x");
    await mkdir(join(root, "listing", "sub"));
    await mkdir(join(root, "listing", ".git"));
    const dir = await contents.get("listing");
    assert.equal(dir.type, "directory");
    assert.equal(dir.format, "json");
    assert.equal(dir.size, null);
    const children = dir.content as { name: string; type: string; path: string; content: unknown }[];
    assert.deepEqual(
      children.map((c) => [c.name, c.type, c.path]),
      [
        ["a.ipynb", "notebook", "listing/a.ipynb"],
        ["b.txt", "file", "listing/b.txt"],
        ["sub", "directory", "listing/sub"],
      ],
    );
    assert.ok(children.every((c) => c.content === null));
    const rootModel = await contents.get("");
    assert.equal(rootModel.path, "");
    assert.equal(rootModel.name, "");
    await rejectsWith(contents.get("listing/.secret"), 404);
    await rejectsWith(contents.get("listing", { type: "file" }), 400);
    await rejectsWith(contents.get("listing/b.txt", { type: "directory" }), 400);
    await rejectsWith(contents.get("listing/missing.txt"), 404);
  });

  it("creates directories, refuses to overwrite a directory with a file", async () => {
    await contents.save("a/", { type: "directory" });
    assert.ok((await stat(join(root, "a"))).isDirectory());
    await contents.save("a", { type: "directory" }); // exists: fine
    await rejectsWith(contents.save("a", { type: "file", format: "text", content: "x" }), 400);
    await rejectsWith(contents.save("hello.ts", { type: "directory" }), 400);
    await rejectsWith(contents.save("no/such/dir/x.txt", { type: "file", format: "text", content: "x" }), 404);
    await rejectsWith(contents.save("x.txt", { type: "file" }), 400);
    await rejectsWith(contents.save("x.txt", { content: "x" }), 400);
    await rejectsWith(contents.save("x.txt", { type: "spreadsheet", content: "x" }), 400);
    await rejectsWith(contents.save(".hidden.txt", { type: "file", format: "text", content: "x" }), 400);
  });

  it("gives the directory a kernel for a path runs in", async () => {
    await contents.save("kdir", { type: "directory" });
    const real = await realpath(root);
    assert.equal(await contents.directoryFor("kdir"), join(real, "kdir"));
    assert.equal(await contents.directoryFor("kdir/nb.ipynb"), join(real, "kdir"));
    assert.equal(await contents.directoryFor("kdir/not/yet/nb.ipynb"), join(real, "kdir"));
    assert.equal(await contents.directoryFor(""), real);
    await rejectsWith(contents.directoryFor("../elsewhere/nb.ipynb"), 404);
  });

  it("handles names with spaces and unicode", async () => {
    const dir = "dír wïth spaces ✓";
    const file = `${dir}/ünï côdé 日本語 📓.txt`;
    await contents.save(dir, { type: "directory" });
    await contents.save(file, { type: "file", format: "text", content: "héllo 🌍" });
    assert.equal(await readFile(join(root, dir, "ünï côdé 日本語 📓.txt"), "utf8"), "héllo 🌍");
    const model = await contents.get(file);
    assert.equal(model.name, "ünï côdé 日本語 📓.txt");
    assert.equal(model.path, file);
    assert.equal(model.content, "héllo 🌍");
    const listing = (await contents.get(dir)).content as { name: string }[];
    assert.deepEqual(
      listing.map((c) => c.name),
      ["ünï côdé 日本語 📓.txt"],
    );
    const renamed = await contents.rename(file, `${dir}/ñew ✓.txt`);
    assert.equal(renamed.name, "ñew ✓.txt");
    const copy = await contents.copy(renamed.path);
    assert.equal(copy.name, "ñew ✓-Copy1.txt");
  });
});

describe("ContentsManager: notebooks", () => {
  it("adds unique cell ids, nbformat 4.5 and the TypeScript kernelspec on save", async () => {
    const nb = notebook([
      { cell_type: "code", source: "const a = 1;\na", metadata: {}, outputs: [], execution_count: null },
      { cell_type: "markdown", source: ["# Title\n", "text"], metadata: {}, id: "keep-me" },
      { cell_type: "code", source: "", id: "keep-me" },
      { cell_type: "raw", source: "", metadata: {}, id: "bad id with spaces" },
    ]);
    await contents.save("ids.ipynb", { type: "notebook", content: nb });
    const onDisk = JSON.parse(await readFile(join(root, "ids.ipynb"), "utf8")) as Notebook;
    assert.equal(onDisk.nbformat, 4);
    assert.equal(onDisk.nbformat_minor, 5);
    assert.deepEqual(onDisk.metadata.kernelspec, {
      name: "typescript",
      display_name: "TypeScript (Tessera)",
      language: "typescript",
    });
    const ids = onDisk.cells.map((c) => c.id);
    assert.equal(ids[1], "keep-me", "a valid id is kept");
    assert.equal(new Set(ids).size, ids.length, "ids are unique");
    for (const id of ids) assert.match(id, /^[a-zA-Z0-9_-]{1,64}$/);
    const code = onDisk.cells[2];
    assert.ok(code.cell_type === "code");
    assert.deepEqual(code.outputs, []);
    assert.equal(code.execution_count, null);
    assert.equal((nb.cells as { id?: string }[])[0].id, undefined, "the caller's model is not changed");
  });

  it("writes nbformat's on-disk layout and reads sources back as strings", async () => {
    const nb = notebook(
      [
        {
          id: "c1",
          cell_type: "code",
          source: "let x = 1;\nx + 1",
          metadata: { trusted: true },
          execution_count: 1,
          outputs: [
            { output_type: "stream", name: "stdout", text: "a\nb\n" },
            {
              output_type: "display_data",
              data: { "text/plain": "l1\nl2", "application/json": { k: "v\nw" } },
              metadata: {},
              transient: { display_id: "d1" },
            },
          ],
        },
      ],
      { metadata: { kernelspec: { name: "python3", display_name: "Python 3" } } },
    );
    await contents.save("layout.ipynb", { type: "notebook", content: nb });
    const text = await readFile(join(root, "layout.ipynb"), "utf8");
    assert.ok(text.endsWith("}\n"));
    assert.ok(text.startsWith('{\n "cells": [\n  {\n   "cell_type": "code",'), "one-space indent, sorted keys");
    const disk = JSON.parse(text);
    assert.deepEqual(disk.cells[0].source, ["let x = 1;\n", "x + 1"]);
    assert.deepEqual(disk.cells[0].outputs[0].text, ["a\n", "b\n"]);
    assert.deepEqual(disk.cells[0].outputs[1].data["text/plain"], ["l1\n", "l2"]);
    assert.deepEqual(disk.cells[0].outputs[1].data["application/json"], { k: "v\nw" });
    assert.equal(disk.cells[0].outputs[1].transient, undefined, "transient is not saved");
    assert.equal(disk.cells[0].metadata.trusted, undefined);
    assert.equal(disk.metadata.kernelspec.name, "python3", "an existing kernelspec is kept");

    const model = await contents.get("layout.ipynb");
    assert.equal(model.type, "notebook");
    assert.equal(model.format, "json");
    assert.equal(model.mimetype, null);
    const back = model.content as Notebook;
    assert.equal(back.cells[0].source, "let x = 1;\nx + 1");
    const out = back.cells[0].cell_type === "code" ? back.cells[0].outputs : [];
    assert.equal(out[0].output_type === "stream" && out[0].text, "a\nb\n");
  });

  it("refuses malformed notebooks with a 400 that names the problem", async () => {
    const cases: [unknown, RegExp][] = [
      ["not an object", /JSON object/],
      [{ nbformat: 3, cells: [] }, /nbformat 3/],
      [{ nbformat: 4, metadata: {} }, /cells must be an array/],
      [notebook([{ cell_type: "python", source: "" }]), /cells\[0\]\.cell_type/],
      [notebook([{ cell_type: "code", source: 5 }]), /cells\[0\]\.source/],
      [notebook([{ cell_type: "code", source: "", outputs: [{}] }]), /outputs\[0\]/],
    ];
    for (const [content, message] of cases) {
      const err = await rejectsWith(contents.save("bad.ipynb", { type: "notebook", content }), 400);
      assert.match(err.message, message);
    }
    await writeFile(join(root, "broken.ipynb"), "{ not json");
    assert.match((await rejectsWith(contents.get("broken.ipynb"), 400)).message, /Unreadable notebook/);
    assert.equal((await contents.get("broken.ipynb", { type: "file" })).content, "{ not json");
  });
});

describe("ContentsManager: untitled, copy, rename, delete", () => {
  it("names untitled notebooks, files and folders as Jupyter does", async () => {
    await contents.save("new", { type: "directory" });
    const n0 = await contents.newUntitled("new", { type: "notebook" });
    const n1 = await contents.newUntitled("new", { ext: ".ipynb" });
    assert.equal(n0.path, "new/Untitled.ipynb");
    assert.equal(n1.path, "new/Untitled1.ipynb");
    assert.equal(n0.type, "notebook");
    const nb = (await contents.get(n0.path)).content as Notebook;
    assert.deepEqual(nb.cells, [], "a new notebook has no cells, as Jupyter's");
    assert.equal(nb.nbformat_minor, 5);
    assert.equal(nb.metadata.kernelspec?.name, "typescript");

    assert.equal((await contents.newUntitled("new", { type: "directory" })).path, "new/Untitled Folder");
    assert.equal((await contents.newUntitled("new", { type: "directory" })).path, "new/Untitled Folder 1");
    assert.equal((await contents.newUntitled("new", { ext: ".txt" })).path, "new/untitled.txt");
    assert.equal((await contents.newUntitled("new", { ext: "txt" })).path, "new/untitled1.txt");
    assert.equal((await contents.newUntitled("new")).path, "new/untitled");
    assert.equal(await readFile(join(root, "new", "untitled.txt"), "utf8"), "");
    await rejectsWith(contents.newUntitled("no-such-dir"), 404);
    await rejectsWith(contents.newUntitled("new", { type: "spreadsheet" as never }), 400);
  });

  it("never hands out one name twice when requests race", async () => {
    await contents.save("race", { type: "directory" });
    const made = await Promise.all(Array.from({ length: 12 }, () => contents.newUntitled("race", { type: "notebook" })));
    const names = new Set(made.map((m) => m.name));
    assert.equal(names.size, 12);
    assert.equal((await readdir(join(root, "race"))).filter((n) => n.endsWith(".ipynb")).length, 12);
  });

  it("copies as name-Copy1.ext, into another directory, or to an exact path", async () => {
    await contents.save("cp", { type: "directory" });
    await contents.save("cp/data.tar.gz", { type: "file", format: "base64", content: "AAEC" });
    await contents.save("cp/nb.v2.ipynb", { type: "notebook", content: notebook([]) });
    assert.equal((await contents.copy("cp/data.tar.gz")).path, "cp/data-Copy1.tar.gz");
    assert.equal((await contents.copy("cp/data.tar.gz", "cp")).path, "cp/data-Copy2.tar.gz");
    assert.equal((await contents.copy("cp/data-Copy1.tar.gz")).path, "cp/data-Copy3.tar.gz");
    assert.equal((await contents.copy("cp/nb.v2.ipynb")).path, "cp/nb.v2-Copy1.ipynb");
    assert.equal((await contents.copy("cp/nb.v2.ipynb", "")).path, "nb.v2.ipynb", "same name in another dir");
    assert.equal((await contents.copy("cp/nb.v2.ipynb", "cp/exact.ipynb")).path, "cp/exact.ipynb");
    assert.deepEqual(await readFile(join(root, "cp/data-Copy3.tar.gz")), Buffer.from([0, 1, 2]));
    await rejectsWith(contents.copy("cp/nb.v2.ipynb", "cp/exact.ipynb"), 409);
    await rejectsWith(contents.copy("cp"), 400);
    await rejectsWith(contents.copy("cp/missing.txt"), 404);
    await rejectsWith(contents.copy("cp/data.tar.gz", "nope/x.gz"), 404);
  });

  it("renames files and directories, refusing to overwrite", async () => {
    await contents.save("mv", { type: "directory" });
    await contents.save("mv/a.txt", { type: "file", format: "text", content: "A" });
    await contents.save("mv/b.txt", { type: "file", format: "text", content: "B" });
    const moved = await contents.rename("mv/a.txt", "mv/c.txt");
    assert.equal(moved.path, "mv/c.txt");
    assert.equal(moved.content, null);
    assert.equal(await readFile(join(root, "mv/c.txt"), "utf8"), "A");
    await rejectsWith(contents.rename("mv/c.txt", "mv/b.txt"), 409);
    assert.equal(await readFile(join(root, "mv/b.txt"), "utf8"), "B", "the target was not replaced");
    await rejectsWith(contents.rename("mv/missing.txt", "mv/d.txt"), 404);
    await rejectsWith(contents.rename("mv/c.txt", "nowhere/d.txt"), 404);
    await rejectsWith(contents.rename("mv", "mv/inside"), 400);
    await rejectsWith(contents.rename("", "x"), 400);
    await rejectsWith(contents.rename("mv/c.txt", ".hidden"), 400);
    const dir = await contents.rename("mv", "moved");
    assert.equal(dir.type, "directory");
    assert.equal(await readFile(join(root, "moved/b.txt"), "utf8"), "B");
  });

  it("deletes files and whole directories, refuses the root", async () => {
    await contents.save("del", { type: "directory" });
    await contents.save("del/sub", { type: "directory" });
    await contents.save("del/sub/x.txt", { type: "file", format: "text", content: "x" });
    await contents.save("del/f.txt", { type: "file", format: "text", content: "f" });
    await contents.delete("del/f.txt");
    await rejectsWith(contents.get("del/f.txt"), 404);
    await contents.delete("del");
    await assert.rejects(stat(join(root, "del")), { code: "ENOENT" });
    await rejectsWith(contents.delete("del"), 404);
    await rejectsWith(contents.delete(""), 400);
    await rejectsWith(contents.delete("/"), 400);
  });
});

describe("ContentsManager: checkpoints", () => {
  it("creates, lists, restores and deletes the one checkpoint of a file", async () => {
    await contents.save("ck.ipynb", { type: "notebook", content: notebook([{ cell_type: "code", source: "v1" }]) });
    // Jupyter keeps a checkpoint from a notebook's first save on.
    const first = await contents.listCheckpoints("ck.ipynb");
    assert.equal(first.length, 1);
    assert.equal(first[0].id, "checkpoint");
    const cpFile = join(root, ".ipynb_checkpoints", "ck-checkpoint.ipynb");
    assert.match(await readFile(cpFile, "utf8"), /"v1"/);

    await contents.save("ck.ipynb", { type: "notebook", content: notebook([{ cell_type: "code", source: "v2" }]) });
    assert.match(await readFile(cpFile, "utf8"), /"v1"/, "a later save does not move the checkpoint");
    const made = await contents.createCheckpoint("ck.ipynb");
    assert.deepEqual(Object.keys(made).sort(), ["id", "last_modified"]);
    assert.match(await readFile(cpFile, "utf8"), /"v2"/);

    await contents.save("ck.ipynb", { type: "notebook", content: notebook([{ cell_type: "code", source: "v3" }]) });
    await contents.restoreCheckpoint("ck.ipynb", "checkpoint");
    assert.equal(((await contents.get("ck.ipynb")).content as Notebook).cells[0].source, "v2");

    await rejectsWith(contents.restoreCheckpoint("ck.ipynb", "other"), 404);
    await contents.deleteCheckpoint("ck.ipynb", "checkpoint");
    assert.deepEqual(await contents.listCheckpoints("ck.ipynb"), []);
    await rejectsWith(contents.deleteCheckpoint("ck.ipynb", "checkpoint"), 404);
    await rejectsWith(contents.restoreCheckpoint("ck.ipynb", "checkpoint"), 404);
    await rejectsWith(contents.createCheckpoint("missing.txt"), 404);
    await rejectsWith(contents.createCheckpoint(""), 400);
    assert.ok(
      !((await contents.get("")).content as { name: string }[]).some((c) => c.name === ".ipynb_checkpoints"),
      "checkpoints do not show in listings",
    );
  });

  it("moves a checkpoint with its file, and deletes it with its file", async () => {
    await contents.save("ck2", { type: "directory" });
    await contents.save("ck2/a.txt", { type: "file", format: "text", content: "one" });
    await contents.createCheckpoint("ck2/a.txt");
    await contents.rename("ck2/a.txt", "ck2/b.txt");
    assert.equal((await contents.listCheckpoints("ck2/a.txt")).length, 0);
    assert.equal((await contents.listCheckpoints("ck2/b.txt")).length, 1);
    await contents.save("ck2/b.txt", { type: "file", format: "text", content: "two" });
    await contents.restoreCheckpoint("ck2/b.txt", "checkpoint");
    assert.equal(await readFile(join(root, "ck2/b.txt"), "utf8"), "one");
    await contents.delete("ck2/b.txt");
    assert.deepEqual(await readdir(join(root, "ck2", ".ipynb_checkpoints")), []);
  });

  it("restores a deleted file's checkpoint only while the checkpoint lives", async () => {
    await contents.save("gone.txt", { type: "file", format: "text", content: "keep" });
    await contents.createCheckpoint("gone.txt");
    await rm(join(root, "gone.txt"));
    await contents.restoreCheckpoint("gone.txt", "checkpoint");
    assert.equal(await readFile(join(root, "gone.txt"), "utf8"), "keep");
  });
});
