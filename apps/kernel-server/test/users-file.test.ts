import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { hashPassword, verifyPassword } from "../src/auth/password-hash.js";
import { parseConfig } from "../src/cli/config.js";
import { parseUsersFile } from "../src/users/users-file.js";
import { parseDuration, parseSize } from "../src/users/units.js";

const CLI = join(import.meta.dirname, "..", "src", "cli.ts");
let HASH = "";

const parse = (yaml: string) => parseUsersFile(yaml.replaceAll("HASH", JSON.stringify(HASH)), "/srv/class/users.yaml");

describe("users file", () => {
  before(async () => {
    HASH = await hashPassword("pw");
  });

  it("reads homes, defaults, per-user limits and round-robin GPUs", () => {
    const c = parse(`homes: ./homes
defaults: { kernels: 2, memory: 4GiB, idleTimeout: 30m, cpuThreads: 2 }
gpus: [0, 1]
users:
  - { name: teach, role: teacher, password: HASH }
  - { name: a, password: HASH }
  - { name: b, password: HASH, limits: { memory: 512MB, kernels: none } }
  - { name: c, password: HASH, limits: { gpus: 3 } }
  - { name: d, password: HASH }
`);
    assert.equal(c.homes, "/srv/class/homes");
    assert.deepEqual(
      c.users.map((u) => [u.name, u.role, u.home]),
      [
        ["teach", "teacher", "/srv/class/homes/teach"],
        ["a", "student", "/srv/class/homes/a"],
        ["b", "student", "/srv/class/homes/b"],
        ["c", "student", "/srv/class/homes/c"],
        ["d", "student", "/srv/class/homes/d"],
      ],
    );
    assert.deepEqual(c.users[0].limits, {
      maxKernels: null,
      memoryBytes: null,
      idleTimeoutMs: null,
      cpuThreads: null,
      gpus: null,
      gpuMemoryFraction: null,
    });
    assert.deepEqual(c.users[1].limits, {
      maxKernels: 2,
      memoryBytes: 4 * 2 ** 30,
      idleTimeoutMs: 1_800_000,
      cpuThreads: 2,
      gpus: [0],
      gpuMemoryFraction: null,
    });
    assert.deepEqual(c.users[2].limits, {
      maxKernels: null,
      memoryBytes: 512_000_000,
      idleTimeoutMs: 1_800_000,
      cpuThreads: 2,
      gpus: [1],
      gpuMemoryFraction: null,
    });
    assert.deepEqual(c.users[3].limits.gpus, [3]);
    assert.deepEqual(c.users[4].limits.gpus, [0], "the round-robin skips users with their own GPUs");
  });

  it("says what is wrong, where", () => {
    const cases: Array<[string, RegExp]> = [
      ["users: []", /users must be a list with at least one user/],
      ["users:\n  - { name: a, password: HASH }", /no user has role: teacher/],
      ["users:\n  - { name: a, role: teacher, password: hunter2 }", /users\[0\] \(a\) needs password: a hash .* never the password itself/],
      ["users:\n  - { name: ../x, role: teacher, password: HASH }", /users\[0\]\.name must be letters, digits/],
      ["users:\n  - { name: a, role: teacher, password: HASH }\n  - { name: A, password: HASH }", /user "A" appears twice/],
      ["users:\n  - { name: a, role: admin, password: HASH }", /role must be teacher or student/],
      [
        "defaults: { memory: lots }\nusers:\n  - { name: a, role: teacher, password: HASH }",
        /defaults\.memory must be a size such as 4GiB/,
      ],
      [
        "defaults: { idleTimeout: soon }\nusers:\n  - { name: a, role: teacher, password: HASH }",
        /defaults\.idleTimeout must be a duration/,
      ],
      ["defaults: { kernel: 2 }\nusers:\n  - { name: a, role: teacher, password: HASH }", /unknown limit "kernel"/],
      ["gpus: [a]\nusers:\n  - { name: a, role: teacher, password: HASH }", /gpus must be a GPU index or a list/],
      ["user: []", /unknown key "user"/],
      ["users: [\n", /users\.yaml: .*(Flow sequence|end|missing)/i],
    ];
    for (const [yaml, message] of cases) assert.throws(() => parse(yaml), message, yaml);
  });

  it("gives each user their own kernel uid when the server runs as root (kernelUids: auto), none otherwise", () => {
    const users = "users:\n  - { name: t, role: teacher, password: HASH }\n  - { name: s, password: HASH }\n";
    const withHash = (y: string) => y.replaceAll("HASH", JSON.stringify(HASH));
    const asRoot = parseUsersFile(withHash(users), "/srv/u.yaml", true);
    assert.equal(asRoot.kernelUids, "separate");
    assert.deepEqual(
      asRoot.users.map((u) => u.kernelIds),
      [
        { uid: 200_000, gid: 200_000 },
        { uid: 200_001, gid: 200_001 },
      ],
    );
    const asUser = parseUsersFile(withHash(users), "/srv/u.yaml", false);
    assert.equal(asUser.kernelUids, "shared");
    assert.deepEqual(
      asUser.users.map((u) => u.kernelIds),
      [null, null],
    );
    assert.equal(parseUsersFile(withHash(`kernelUids: none\n${users}`), "/srv/u.yaml", true).kernelUids, "shared");
    assert.equal(parseUsersFile(withHash(`kernelUids: 50000\n${users}`), "/srv/u.yaml", true).users[1].kernelIds?.uid, 50_001);
    assert.throws(
      () => parseUsersFile(withHash(`kernelUids: 50000\n${users}`), "/srv/u.yaml", false),
      /kernelUids needs the server to run as root/,
    );
    assert.throws(
      () => parseUsersFile(withHash(`kernelUids: 0\n${users}`), "/srv/u.yaml", true),
      /kernelUids must be auto, none or a first uid/,
    );
  });

  it("reads sizes and durations as people write them", () => {
    assert.equal(parseSize("4GiB"), 4 * 2 ** 30);
    assert.equal(parseSize("512 MB"), 512e6);
    assert.equal(parseSize("2g"), 2 * 2 ** 30);
    assert.equal(parseSize(1024), 1024);
    assert.equal(parseSize("-1"), null);
    assert.equal(parseSize("4 parsecs"), null);
    assert.equal(parseDuration("30m"), 1_800_000);
    assert.equal(parseDuration("1.5h"), 5_400_000);
    assert.equal(parseDuration(90), 90_000);
    assert.equal(parseDuration("0s"), null);
  });
});

describe("tessera users / --users", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "tessera-users-"));
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  const cli = (args: string[], input = "") =>
    spawnSync(process.execPath, ["--import", "tsx", CLI, ...args], {
      input,
      encoding: "utf8",
      env: { ...process.env, TESSERA_CONFIG_DIR: dir },
    });

  it("init writes a file of hashes and prints each password once; the server accepts it", async () => {
    const file = join(dir, "class.yaml");
    const r = cli(["users", "init", file, "--students", "3", "--teacher", "ms-lee"]);
    assert.equal(r.status, 0, r.stderr);
    const rows = r.stdout.trim().split("\n");
    assert.equal(rows[0], "name,password");
    const creds = rows.slice(1).map((l) => l.split(","));
    assert.deepEqual(
      creds.map((c) => c[0]),
      ["ms-lee", "student01", "student02", "student03"],
    );
    const text = await readFile(file, "utf8");
    for (const [, password] of creds) assert.ok(!text.includes(password), "a password was written to the file");
    const parsed = parseUsersFile(text, file);
    assert.equal(parsed.users[0].role, "teacher");
    assert.equal(parsed.users[2].limits.maxKernels, 2);
    assert.ok(await verifyPassword(creds[2][1], parsed.users[2].passwordHash));
    assert.match(text, /# Tessera workshop users/, "the template's comments stay");
    // Not over an existing file.
    const again = cli(["users", "init", file]);
    assert.equal(again.status, 2);
    assert.match(again.stderr, /exists: use `tessera users add`/);
    // add keeps what is there and appends.
    const add = cli(["users", "add", file, "dana"], "dana's password\n");
    assert.equal(add.status, 0, add.stderr);
    const after = parseUsersFile(await readFile(file, "utf8"), file);
    assert.equal(after.users.length, 5);
    assert.ok(await verifyPassword("dana's password", after.users[4].passwordHash));
    assert.equal(cli(["users", "add", file, "dana"], "x\n").status, 2);
    // The server's flags take it; it needs no token or password to listen beyond loopback.
    const config = parseConfig(["--users", file, "--ip", "0.0.0.0"], {});
    assert.equal(config.users?.users.length, 5);
  });

  it("refuses to start with a users file that is wrong, naming it", () => {
    const r = cli(["--users", join(dir, "missing.yaml")]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /cannot read the users file .*missing\.yaml: ENOENT/);
  });
});
