/** `tessera password`: a salted scrypt hash in server.json (0600), and the login page accepting that password. */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { parsePasswordHash, verifyPassword } from "../src/auth/password-hash.js";
import { parseConfig } from "../src/cli/config.js";
import { startTestServer, type TestServer } from "./helpers/test-server.js";

const CLI = resolve(fileURLToPath(import.meta.url), "../../dist/cli.js");
const PASSWORD = "correct horse battery staple";

/** Runs `tessera password` with `input` piped to it. */
function passwordCommand(configDir: string, input: string) {
  return spawnSync(process.execPath, [CLI, "password"], {
    input,
    encoding: "utf8",
    env: { ...process.env, TESSERA_CONFIG_DIR: configDir },
  });
}

/** POST /login as a form; the answer unfollowed. */
function login(t: TestServer, fields: Record<string, string>) {
  return fetch(new URL("login?next=%2Ftree", t.base), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
    redirect: "manual",
  });
}

describe("tessera password", () => {
  let dir: string;
  let configDir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "tessera-password-"));
    configDir = join(dir, "config", "tessera");
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it("reads stdin when it is piped and stores only a salted scrypt hash, readable by its owner only", async () => {
    const run = passwordCommand(configDir, `${PASSWORD}\n`);
    assert.equal(run.status, 0, run.stderr);
    const file = join(configDir, "server.json");
    assert.match(run.stdout, new RegExp(`Wrote the password hash to ${file}`));
    assert.ok(!run.stdout.includes(PASSWORD) && !run.stderr.includes(PASSWORD), "the password is never printed");
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal((await stat(configDir)).mode & 0o777, 0o700);
    const text = await readFile(file, "utf8");
    assert.ok(!text.includes(PASSWORD) && !text.includes(Buffer.from(PASSWORD).toString("base64")), "no plain text inside");
    const { passwordHash } = JSON.parse(text) as { passwordHash: string };
    assert.match(passwordHash, /^scrypt:N=16384,r=8,p=1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    assert.ok(parsePasswordHash(passwordHash));
    assert.equal(await verifyPassword(PASSWORD, passwordHash), true);
    assert.equal(await verifyPassword(`${PASSWORD}!`, passwordHash), false);
  });

  it("salts every hash afresh and keeps the file's other settings", async () => {
    const file = join(configDir, "server.json");
    const first = JSON.parse(await readFile(file, "utf8")) as { passwordHash: string };
    await writeFile(file, JSON.stringify({ ...first, other: 1 }));
    assert.equal(passwordCommand(configDir, `${PASSWORD}\n`).status, 0);
    const second = JSON.parse(await readFile(file, "utf8")) as { passwordHash: string; other: number };
    assert.notEqual(second.passwordHash, first.passwordHash);
    assert.equal(second.other, 1);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
  });

  it("refuses an empty password and leaves the stored one alone", async () => {
    const file = join(configDir, "server.json");
    const before = await readFile(file, "utf8");
    const run = passwordCommand(configDir, "\n");
    assert.equal(run.status, 2);
    assert.match(run.stderr, /no password on stdin/);
    assert.equal(await readFile(file, "utf8"), before);
  });

  it(
    "asks twice on a terminal without echo, and refuses two different answers",
    {
      skip: /util-linux/.test(spawnSync("script", ["--version"], { encoding: "utf8" }).stdout ?? "")
        ? false
        : "no util-linux `script` to make a terminal",
    },
    async () => {
      const ttyDir = join(dir, "tty");
      const viaTerminal = (answers: string[]) =>
        new Promise<{ code: number | null; screen: string }>((done) => {
          // script(1) runs the command on a pseudo-terminal and copies what we write to it.
          const child = spawn("script", ["-qec", `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} password`, "/dev/null"], {
            env: { ...process.env, TESSERA_CONFIG_DIR: ttyDir },
          });
          let screen = "";
          const pending = [...answers];
          child.stdout.on("data", (d: Buffer) => {
            screen += d.toString();
            const prompts = (screen.match(/(Enter|Verify) password: /g) ?? []).length;
            if (prompts > answers.length - pending.length && pending.length) child.stdin.write(`${pending.shift()}\r`);
          });
          child.on("close", (code) => done({ code, screen }));
        });
      const mismatch = await viaTerminal(["first secret", "second secret"]);
      assert.notEqual(mismatch.code, 0);
      assert.match(mismatch.screen, /do not match/);
      await assert.rejects(stat(join(ttyDir, "server.json")), /ENOENT/);

      const ok = await viaTerminal(["typed secret", "typed secret"]);
      assert.equal(ok.code, 0, ok.screen);
      assert.match(ok.screen, /Enter password: [\s\S]*Verify password: /);
      assert.ok(!ok.screen.includes("typed secret"), `the terminal showed the password: ${JSON.stringify(ok.screen)}`);
      const { passwordHash } = JSON.parse(await readFile(join(ttyDir, "server.json"), "utf8")) as { passwordHash: string };
      assert.equal(await verifyPassword("typed secret", passwordHash), true);
    },
  );

  it("is what the server loads: a password and no random token", () => {
    const config = parseConfig([], { TESSERA_CONFIG_DIR: configDir, INIT_CWD: "/srv" });
    assert.ok(config.passwordHash?.startsWith("scrypt:"));
    assert.equal(config.token, "");
    assert.equal(config.tokenGenerated, false);
    // A flag or the environment wins over the file; a token can still be added.
    assert.equal(parseConfig(["--password-hash", ""], { TESSERA_CONFIG_DIR: configDir }).passwordHash, null);
    assert.equal(parseConfig(["--token", "t"], { TESSERA_CONFIG_DIR: configDir }).token, "t");
    assert.throws(
      () => parseConfig([], { TESSERA_CONFIG_DIR: configDir, TESSERA_PASSWORD_HASH: "sha1:abc" }),
      /TESSERA_PASSWORD_HASH is not one this server can check/,
    );
  });
});

describe("logging in with the password", () => {
  let t: TestServer;
  before(async () => {
    const configDir = await mkdtemp(join(tmpdir(), "tessera-password-"));
    assert.equal(passwordCommand(configDir, `${PASSWORD}\n`).status, 0);
    const { passwordHash } = parseConfig([], { TESSERA_CONFIG_DIR: configDir });
    await rm(configDir, { recursive: true, force: true });
    t = await startTestServer({ config: { token: "", passwordHash } });
  });
  after(async () => t?.close());

  it("asks for the password on the login page", async () => {
    const page = await (await fetch(new URL("login", t.base))).text();
    assert.match(page, /Password \(set with <code>tessera password<\/code>\)/);
    assert.match(page, /name="password"/);
  });

  it("refuses a wrong password and API calls without the cookie", async () => {
    const wrong = await login(t, { password: "not it" });
    assert.equal(wrong.status, 403);
    assert.match(await wrong.text(), /Wrong password/);
    assert.equal(wrong.headers.getSetCookie().length, 0);
    assert.equal((await fetch(new URL("api/kernels", t.base))).status, 403);
  });

  it("sets the same auth cookie as a token login, which then opens the API", async () => {
    const ok = await login(t, { password: PASSWORD });
    assert.equal(ok.status, 302);
    assert.equal(ok.headers.get("location"), "/tree");
    const cookies = ok.headers.getSetCookie();
    const auth = cookies.find((c) => c.startsWith("tessera-auth-"));
    assert.ok(auth && /HttpOnly/.test(auth) && !auth.includes(PASSWORD));
    assert.ok(!/Secure/.test(auth), "no Secure flag over plain HTTP");
    const jar = cookies.map((c) => c.split(";")[0]).join("; ");
    assert.equal((await fetch(new URL("api/kernels", t.base), { headers: { cookie: jar } })).status, 200);
    // A write also needs the _xsrf header, as with a token login.
    const xsrf = decodeURIComponent(/_xsrf=([^;]+)/.exec(jar)![1]);
    const dirMade = await fetch(new URL("api/contents", t.base), {
      method: "POST",
      headers: { cookie: jar, "x-xsrftoken": xsrf, "content-type": "application/json" },
      body: '{"type":"directory"}',
    });
    assert.equal(dirMade.status, 201);
  });

  it("takes the password as JSON too (a REST login)", async () => {
    const res = await fetch(new URL("login", t.base), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ password: PASSWORD }),
      redirect: "manual",
    });
    assert.equal(res.status, 302);
    assert.ok(res.headers.getSetCookie().some((c) => c.startsWith("tessera-auth-")));
  });
});
