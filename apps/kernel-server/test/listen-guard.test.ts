/** Listening beyond loopback needs a token or a password; on loopback, auth may be turned off. */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { hashPassword } from "../src/auth/password-hash.js";
import { parseConfig } from "../src/cli/config.js";

const CLI = resolve(fileURLToPath(import.meta.url), "../../dist/cli.js");

describe("where the server may listen without auth", () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "tessera-listen-"));
    // No server.json (no password) and no inherited token.
    env = { ...process.env, TESSERA_CONFIG_DIR: join(dir, "config"), TESSERA_TOKEN: "", TESSERA_PASSWORD_HASH: "" };
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  for (const ip of ["0.0.0.0", "::", "192.0.2.10"]) {
    it(`refuses to start on ${ip} with --token '' and no password, naming the fix`, () => {
      const run = spawnSync(process.execPath, [CLI, "--ip", ip, "--port", "0", "--root", dir, "--token", ""], {
        env,
        encoding: "utf8",
        timeout: 30_000,
      });
      assert.equal(run.status, 2, run.stderr);
      assert.equal(run.stdout, "", "nothing was served");
      assert.match(run.stderr, new RegExp(`refusing to listen on ${ip.replace(/\./g, "\\.")} with no token and no password`));
      assert.match(run.stderr, /tessera password/);
      assert.match(run.stderr, /--token <secret>/);
    });
  }

  it("starts on loopback with --token '' and no auth, as before", async () => {
    const child = spawn(process.execPath, [CLI, "--ip", "127.0.0.1", "--port", "0", "--root", dir, "--token", ""], { env });
    let out = "";
    const url = await new Promise<string>((done, fail) => {
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        const m = /(http:\/\/127\.0\.0\.1:\d+\/)\s/.exec(out);
        if (m) done(m[1]);
      });
      child.once("exit", (code) => fail(new Error(`exited ${code}: ${out}`)));
    });
    assert.ok(!out.includes("?token="));
    assert.match(out, /no token or password/);
    assert.equal((await fetch(new URL("api/status", url))).status, 200);
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await exited;
  });

  it("accepts a non-loopback address with a token (given or random) or a password", async () => {
    const base = { TESSERA_CONFIG_DIR: join(dir, "config") };
    assert.equal(parseConfig(["--ip", "0.0.0.0", "--token", "t"], base).token, "t");
    const random = parseConfig(["--ip", "0.0.0.0"], { ...base, TESSERA_TOKEN: "" });
    assert.ok(random.tokenGenerated && random.token.length >= 32, "an empty TESSERA_TOKEN is unset: a random token");
    const withPassword = parseConfig(["--ip", "::", "--token", ""], { ...base, TESSERA_PASSWORD_HASH: await hashPassword("pw") });
    assert.equal(withPassword.token, "");
    assert.ok(withPassword.passwordHash);
    assert.throws(() => parseConfig(["--ip", "0.0.0.0", "--token", ""], base), /refusing to listen/);
    assert.equal(parseConfig(["--ip", "::1", "--token", ""], base).token, "", "::1 is loopback");
  });
});
