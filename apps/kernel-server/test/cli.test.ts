import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { parseConfig } from "../src/cli/config.js";

const CLI = resolve(fileURLToPath(import.meta.url), "../../dist/cli.js");

describe("command line", () => {
  it("lets flags win over environment over defaults", () => {
    // A config dir with no server.json: a password set on this machine must not change the defaults.
    const noConfig = { TESSERA_CONFIG_DIR: join(tmpdir(), "tessera-no-config") };
    const env = { ...noConfig, TESSERA_TOKEN: "envtok", TESSERA_PORT: "9001", TESSERA_ROOT: "/tmp", INIT_CWD: "/srv" };
    const fromEnv = parseConfig([], env);
    assert.equal(fromEnv.token, "envtok");
    assert.equal(fromEnv.port, 9001);
    assert.equal(fromEnv.root, "/tmp");
    const flags = parseConfig(["--port", "9002", "--ip", "0.0.0.0", "--root", "/var", "--token", "flagtok"], env);
    assert.deepEqual([flags.port, flags.ip, flags.root, flags.token], [9002, "0.0.0.0", "/var", "flagtok"]);
    const defaults = parseConfig([], { ...noConfig, INIT_CWD: "/srv" });
    assert.equal(defaults.port, 8888);
    assert.equal(defaults.ip, "127.0.0.1");
    assert.equal(defaults.root, "/srv");
    assert.ok(defaults.tokenGenerated && defaults.token.length >= 32);
    assert.throws(() => parseConfig(["--port", "http"], {}), /invalid port/);
    assert.throws(() => parseConfig(["--bogus"], {}), /Unknown option/);
  });

  it("prints the token URL, and leaves no kernel behind on SIGTERM", async () => {
    const root = await mkdtemp(join(tmpdir(), "tessera-cli-"));
    const child = spawn(process.execPath, [CLI, "--port", "0", "--root", root], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, TESSERA_TOKEN: "", TESSERA_CONFIG_DIR: join(root, ".no-config") },
    });
    let out = "";
    const url = await new Promise<string>((res, rej) => {
      child.stdout.on("data", (d) => {
        out += d;
        const m = /http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+/.exec(out);
        if (m) res(m[0]);
      });
      child.once("exit", () => rej(new Error(`server exited: ${out}`)));
    });
    const u = new URL(url);
    const token = u.searchParams.get("token")!;
    const res = await fetch(new URL("/api/kernels", u), { method: "POST", headers: { authorization: `token ${token}` }, body: "{}" });
    assert.equal(res.status, 201);
    const kids = () => {
      try {
        return execFileSync("pgrep", ["-P", String(child.pid)])
          .toString()
          .trim()
          .split("\n")
          .filter(Boolean);
      } catch {
        return [];
      }
    };
    const kernelPids = kids();
    assert.equal(kernelPids.length, 1);
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await exited;
    const alive = kernelPids.filter((pid) => {
      try {
        process.kill(Number(pid), 0);
        return true;
      } catch {
        return false;
      }
    });
    assert.deepEqual(alive, []);
  });
});
