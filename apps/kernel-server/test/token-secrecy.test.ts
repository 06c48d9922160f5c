/**
 * The token given by environment variable, flag or file must not be readable by kernel
 * code where Linux shows the server process (/proc/<server pid>/environ and cmdline), nor
 * be in a kernel's own environment; and it must still log in.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { parseConfig } from "../src/cli/config.js";
import { openSocket, request, waitFor } from "./helpers/raw-socket.js";

const CLI = resolve(fileURLToPath(import.meta.url), "../../dist/cli.js");
const linux = process.platform === "linux";

interface Started {
  child: ChildProcess;
  base: URL;
  output: () => string;
}

async function startCli(root: string, args: string[], env: NodeJS.ProcessEnv): Promise<Started> {
  const child = spawn(process.execPath, [CLI, "--port", "0", "--root", root, "--quiet", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, TESSERA_TOKEN: "", TESSERA_CONFIG_DIR: join(root, ".no-config"), ...env },
  });
  let out = "";
  child.stderr!.on("data", (d) => (out += d));
  const base = await new Promise<URL>((res, rej) => {
    child.stdout!.on("data", (d) => {
      out += d;
      const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m) res(new URL(m[1]));
    });
    child.once("exit", () => rej(new Error(`server exited: ${out}`)));
  });
  return { child, base, output: () => out };
}

async function stop(s: Started): Promise<void> {
  if (s.child.exitCode !== null) return;
  const exited = once(s.child, "exit");
  s.child.kill("SIGTERM");
  await exited;
}

/** What a cell sees: the server's environ and cmdline (its parent's), and its own environ. */
async function whatAKernelSees(
  s: Started,
  token: string,
): Promise<{ serverEnviron: string; serverCmdline: string; ownEnviron: string; ppidIsServer: boolean }> {
  const headers = { authorization: `token ${token}` };
  const created = await fetch(new URL("api/kernels", s.base), { method: "POST", headers, body: "{}" });
  assert.equal(created.status, 201, "the token logs in");
  const { id } = (await created.json()) as { id: string };
  const ws = await openSocket(`${s.base.href.replace(/^http/, "ws")}api/kernels/${id}/channels?session_id=probe`, { headers });
  try {
    const code =
      'const fs = require("fs");\n' +
      'const read = (p: string) => fs.readFileSync(p).toString("base64");\n' +
      "console.log(JSON.stringify({ ppid: process.ppid, serverEnviron: read(`/proc/${process.ppid}/environ`), serverCmdline: read(`/proc/${process.ppid}/cmdline`), ownEnviron: read('/proc/self/environ') }))";
    const { msgId, frame } = request("execute_request", { code, silent: false });
    ws.send(frame);
    const stream = await waitFor(ws, (m) => m.header.msg_type === "stream" && m.parent_header?.msg_id === msgId, 30_000);
    const seen = JSON.parse(stream.content.text) as { ppid: number; serverEnviron: string; serverCmdline: string; ownEnviron: string };
    const text = (b64: string) => Buffer.from(b64, "base64").toString("latin1");
    return {
      serverEnviron: text(seen.serverEnviron),
      serverCmdline: text(seen.serverCmdline),
      ownEnviron: text(seen.ownEnviron),
      ppidIsServer: seen.ppid === s.child.pid,
    };
  } finally {
    ws.close();
  }
}

describe("--token-file and TESSERA_TOKEN_FILE", () => {
  it("reads the token's first line, after --token and TESSERA_TOKEN, and refuses a missing or empty file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tessera-token-file-"));
    try {
      const noConfig = { TESSERA_CONFIG_DIR: join(dir, ".no-config") };
      await writeFile(join(dir, "t"), "  from-file \nsecond line\n");
      await writeFile(join(dir, "empty"), "\n");
      assert.equal(parseConfig(["--token-file", join(dir, "t")], noConfig).token, "from-file");
      assert.equal(
        parseConfig([], { ...noConfig, TESSERA_TOKEN_FILE: "t", INIT_CWD: dir }).token,
        "from-file",
        "relative to where npm ran",
      );
      assert.equal(parseConfig([], { ...noConfig, TESSERA_TOKEN_FILE: join(dir, "t"), TESSERA_TOKEN: "env" }).token, "env");
      assert.equal(parseConfig(["--token-file", join(dir, "t")], { ...noConfig, TESSERA_TOKEN: "env" }).token, "from-file");
      assert.throws(() => parseConfig(["--token", "a", "--token-file", join(dir, "t")], noConfig), /give one of them/);
      assert.throws(() => parseConfig(["--token-file", join(dir, "empty")], noConfig), /is empty/);
      assert.throws(() => parseConfig(["--token-file", join(dir, "missing")], noConfig), /cannot read the token file .*ENOENT/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("the server's token, where kernel code could look for it", { skip: !linux && "reads /proc", timeout: 120_000 }, () => {
  const roots: string[] = [];
  const newRoot = async () => {
    const root = await mkdtemp(join(tmpdir(), "tessera-token-"));
    roots.push(root);
    return root;
  };
  after(async () => {
    for (const root of roots) await rm(root, { recursive: true, force: true });
  });

  it("is gone from /proc/<server pid>/environ when given as TESSERA_TOKEN, absent from the kernel's environment, and still logs in", async () => {
    const token = `env-token-${Math.random().toString(16).slice(2)}`;
    const s = await startCli(await newRoot(), [], { TESSERA_TOKEN: token });
    try {
      const seen = await whatAKernelSees(s, token);
      assert.ok(seen.ppidIsServer, "the kernel's parent is the server");
      assert.ok(seen.serverEnviron.includes("PATH="), "the cell did read the server's environment");
      assert.ok(!seen.serverEnviron.includes(token), "not in the server's environ");
      assert.ok(!seen.ownEnviron.includes(token), "not in the kernel's own environ");
      assert.ok(!seen.ownEnviron.includes("TESSERA_TOKEN"), "no TESSERA_TOKEN variable in the kernel");
      const wrong = await fetch(new URL("api/kernels", s.base), { headers: { authorization: "token wrong" } });
      assert.equal(wrong.status, 403);
      assert.ok(!s.output().replace(`?token=${token}`, "").includes(token), "printed only in the login URL");
    } finally {
      await stop(s);
    }
  });

  it("is gone from /proc/<server pid>/cmdline when given as --token, and read from --token-file", async () => {
    const root = await newRoot();
    const flagToken = `flag-token-${Math.random().toString(16).slice(2)}`;
    const s = await startCli(root, ["--token", flagToken], {});
    try {
      const seen = await whatAKernelSees(s, flagToken);
      assert.ok(seen.serverCmdline.includes("--token\0"), "the cell did read the server's command line");
      assert.ok(!seen.serverCmdline.includes(flagToken), "not in the server's cmdline");
      assert.ok(!(await readFile(`/proc/${s.child.pid}/cmdline`, "latin1")).includes(flagToken), "nor for another process");
    } finally {
      await stop(s);
    }

    const fileToken = `file-token-${Math.random().toString(16).slice(2)}`;
    const file = join(root, "token.txt");
    await writeFile(file, `${fileToken}\n`, { mode: 0o600 });
    const f = await startCli(root, ["--token-file", file], {});
    try {
      const seen = await whatAKernelSees(f, fileToken);
      assert.ok(!seen.serverEnviron.includes(fileToken) && !seen.serverCmdline.includes(fileToken));
    } finally {
      await stop(f);
    }
  });
});
