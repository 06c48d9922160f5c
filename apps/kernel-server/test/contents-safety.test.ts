import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { ContentsError, ContentsManager } from "../src/contents/index.js";

const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
const indexUrl = new URL("../src/contents/index.ts", import.meta.url).href;

let base: string;
let root: string;
let outside: string;
let contents: ContentsManager;

before(async () => {
  base = await mkdtemp(join(tmpdir(), "tessera-jail-"));
  root = join(base, "root");
  outside = join(base, "outside");
  await mkdir(root);
  await mkdir(outside);
  await writeFile(join(outside, "secret.txt"), "top secret");
  await symlink(outside, join(root, "dir-out"));
  await symlink(join(outside, "secret.txt"), join(root, "file-out.txt"));
  await symlink(join(outside, "not-yet.txt"), join(root, "dangling-out.txt"));
  await mkdir(join(root, "real"));
  await writeFile(join(root, "real", "inside.txt"), "inside");
  await symlink(join(root, "real"), join(root, "dir-in"));
  contents = new ContentsManager(root);
});
after(async () => {
  await chmod(join(root, "ro"), 0o755).catch(() => undefined);
  await rm(base, { recursive: true, force: true });
});

async function refused(promise: Promise<unknown>, statuses: number[] = [404]): Promise<ContentsError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof ContentsError, `expected a ContentsError, got ${String(err)}`);
    assert.ok(statuses.includes(err.status), `status ${err.status}: ${err.message}`);
    assert.ok(!err.message.includes(base), `message reveals a server path: ${err.message}`);
    return err;
  }
  assert.fail("expected the operation to be refused");
}

async function outsideUntouched(): Promise<void> {
  assert.deepEqual((await readdir(outside)).sort(), ["secret.txt"]);
  assert.equal(await readFile(join(outside, "secret.txt"), "utf8"), "top secret");
}

async function tempFilesIn(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((n) => n.startsWith(".~tessera-"));
}

const text = (content: string) => ({ type: "file", format: "text", content });

describe("the root jail", () => {
  it("refuses .., absolute paths and NUL bytes for every operation", async () => {
    const escapes = ["..", "../outside/secret.txt", "real/../../outside/secret.txt", "/etc/passwd", "//etc/passwd"];
    for (const p of escapes) {
      await refused(contents.get(p));
      await refused(contents.save(p, text("pwned")), [400, 404]);
      await refused(contents.delete(p), [400, 404]);
      await refused(contents.rename("real/inside.txt", p), [400, 404]);
      await refused(contents.rename(p, "stolen.txt"), [400, 404]);
      await refused(contents.copy(p, "real"), [400, 404]);
      await refused(contents.copy("real/inside.txt", p), [400, 404]);
      await refused(contents.newUntitled(p), [400, 404]);
      await refused(contents.createCheckpoint(p));
      await refused(contents.restoreCheckpoint(p, "checkpoint"));
    }
    await refused(contents.get("real/inside.txt\0.png"), [400]);
    await outsideUntouched();
    assert.equal(await readFile(join(root, "real", "inside.txt"), "utf8"), "inside");
  });

  it("refuses symlinks that resolve outside the root, and leaves them out of listings", async () => {
    for (const p of ["dir-out", "dir-out/secret.txt", "file-out.txt", "dangling-out.txt"]) {
      await refused(contents.get(p));
      await refused(contents.save(p, text("pwned")));
      await refused(contents.delete(p));
      await refused(contents.rename(p, "moved.txt"));
      await refused(contents.copy(p));
      await refused(contents.createCheckpoint(p));
    }
    await refused(contents.save("dir-out/new.txt", text("pwned")));
    await refused(contents.save("dir-out/sub", { type: "directory" }));
    await refused(contents.newUntitled("dir-out"));
    await refused(contents.copy("real/inside.txt", "dir-out"));
    await refused(contents.rename("real/inside.txt", "dir-out/inside.txt"));
    await outsideUntouched();
    const names = ((await contents.get("")).content as { name: string }[]).map((c) => c.name);
    assert.ok(names.includes("dir-in") && names.includes("real"));
    for (const n of ["dir-out", "file-out.txt", "dangling-out.txt"]) assert.ok(!names.includes(n), n);
  });

  it("refuses a planted .ipynb_checkpoints symlink that points out", async () => {
    await mkdir(join(root, "planted"));
    await writeFile(join(root, "planted", "a.txt"), "a");
    await symlink(outside, join(root, "planted", ".ipynb_checkpoints"));
    await refused(contents.createCheckpoint("planted/a.txt"));
    await refused(contents.listCheckpoints("planted/a.txt"));
    await outsideUntouched();
  });

  it("follows symlinks that stay inside the root, and a symlinked root", async () => {
    assert.equal((await contents.get("dir-in/inside.txt")).content, "inside");
    await contents.save("dir-in/via-link.txt", text("ok"));
    assert.equal(await readFile(join(root, "real", "via-link.txt"), "utf8"), "ok");
    await symlink(root, join(base, "root-link"));
    const viaLink = new ContentsManager(join(base, "root-link"));
    assert.equal((await viaLink.get("real/inside.txt")).content, "inside");
    await refused(viaLink.get("dir-out/secret.txt"));
  });

  it("does not block on a FIFO and leaves it out of listings", async (t) => {
    try {
      execFileSync("mkfifo", [join(root, "real", "pipe")]);
    } catch {
      t.skip("mkfifo is not available");
      return;
    }
    await refused(contents.get("real/pipe"), [400]);
    const names = ((await contents.get("real")).content as { name: string }[]).map((c) => c.name);
    assert.ok(!names.includes("pipe"));
  });
});

describe("atomic writes", () => {
  it("replaces the file whole, keeps its mode, and leaves no temp file", async () => {
    await writeFile(join(root, "mode.sh"), "old");
    await chmod(join(root, "mode.sh"), 0o750);
    await contents.save("mode.sh", text("new"));
    assert.equal(await readFile(join(root, "mode.sh"), "utf8"), "new");
    assert.equal((await stat(join(root, "mode.sh"))).mode & 0o777, 0o750);
    assert.deepEqual(await tempFilesIn(root), []);
  });

  it("keeps the old content when the write fails midway (EFBIG under ulimit -f)", async (t) => {
    if (process.platform !== "linux") {
      t.skip("needs bash's ulimit and Linux");
      return;
    }
    await writeFile(join(root, "big.txt"), "old content");
    const script = join(base, "fill.mts");
    await writeFile(
      script,
      `import { ContentsManager } from ${JSON.stringify(indexUrl)};
const contents = new ContentsManager(process.argv[2]);
try {
  await contents.save("big.txt", { type: "file", format: "text", content: "x".repeat(4 * 1024 * 1024) });
  console.log(JSON.stringify({ ok: true }));
} catch (err) {
  console.log(JSON.stringify({ status: err.status, message: err.message }));
}
`,
    );
    // 2 MiB per file for this process: writing 4 MiB fails with EFBIG (Node ignores SIGXFSZ).
    const run = spawnSync("bash", ["-c", 'ulimit -f 2048 && exec "$0" --import tsx "$1" "$2"', process.execPath, script, root], {
      cwd: repoRoot,
      encoding: "utf8",
    });
    assert.equal(run.status, 0, run.stderr);
    const result = JSON.parse(run.stdout.trim().split("\n").pop() ?? "{}") as { status?: number; message?: string };
    assert.equal(result.status, 413, run.stdout);
    assert.ok(!result.message?.includes(base));
    assert.equal(await readFile(join(root, "big.txt"), "utf8"), "old content");
    assert.deepEqual(await tempFilesIn(root), []);
  });

  it("keeps the old content when the directory is read-only", async (t) => {
    if (process.getuid?.() === 0) {
      t.skip("running as root: directory permissions are not enforced");
      return;
    }
    await mkdir(join(root, "ro"));
    await writeFile(join(root, "ro", "a.txt"), "old");
    await chmod(join(root, "ro"), 0o555);
    try {
      await refused(contents.save("ro/a.txt", text("new")), [403]);
      assert.equal(await readFile(join(root, "ro", "a.txt"), "utf8"), "old");
      assert.deepEqual(await tempFilesIn(join(root, "ro")), []);
    } finally {
      await chmod(join(root, "ro"), 0o755);
    }
  });
});

describe("size limits", () => {
  it("refuses to read a file over the limit with a 413, but still hashes it", async () => {
    await writeFile(join(root, "sparse.bin"), "");
    await truncate(join(root, "sparse.bin"), 60 * 1024 * 1024); // 60 MiB, sparse
    const err = await refused(contents.get("sparse.bin"), [413]);
    assert.match(err.message, /too large to open \(60 MiB; the limit is 50 MiB\)/);
    const meta = await contents.get("sparse.bin", { content: false, hash: true });
    assert.equal(meta.size, 60 * 1024 * 1024);
    assert.match(meta.hash ?? "", /^[0-9a-f]{64}$/);
  });

  it("refuses saves over the limit and leaves the old file", async () => {
    const small = new ContentsManager(root, { maxFileSize: 1024 });
    await small.save("limit.txt", text("old"));
    await refused(small.save("limit.txt", text("y".repeat(2048))), [413]);
    await refused(small.save("limit.bin", { type: "file", format: "base64", content: "A".repeat(4096) }), [413]);
    assert.equal(await readFile(join(root, "limit.txt"), "utf8"), "old");
    await writeFile(join(root, "grown.txt"), "z".repeat(1025));
    await refused(small.get("grown.txt"), [413]);
  });
});

describe("chunked uploads", () => {
  it("builds the file aside and replaces the target only at the last chunk", async () => {
    await writeFile(join(root, "up.bin"), "previous");
    const chunk = (n: number, s: string) =>
      contents.save("up.bin", { type: "file", format: "base64", chunk: n, content: Buffer.from(s).toString("base64") });
    const first = await chunk(1, "part1-");
    assert.equal(first.path, "up.bin");
    assert.equal(first.size, 6);
    await chunk(2, "part2-");
    assert.equal(await readFile(join(root, "up.bin"), "utf8"), "previous", "unchanged until complete");
    const done = await chunk(-1, "end");
    assert.equal(done.size, 15);
    assert.equal(await readFile(join(root, "up.bin"), "utf8"), "part1-part2-end");
    assert.deepEqual(
      (await readdir(root)).filter((n) => n.includes("upload")),
      [],
    );

    await refused(contents.save("fresh.bin", { type: "file", format: "text", chunk: 2, content: "x" }), [400]);
    await refused(contents.save("up.bin", { type: "file", format: "text", chunk: 0, content: "x" }), [400]);
    await refused(contents.save("nb.ipynb", { type: "notebook", chunk: 1, content: {} }), [400]);
    const tiny = new ContentsManager(root, { maxUploadSize: 8 });
    await tiny.save("up.bin", { type: "file", format: "text", chunk: 1, content: "12345" });
    await refused(tiny.save("up.bin", { type: "file", format: "text", chunk: -1, content: "67890" }), [413]);
    assert.equal(await readFile(join(root, "up.bin"), "utf8"), "part1-part2-end");
  });
});
