/** `--certfile/--keyfile`: REST and the kernel channels over https/wss, Secure cookies, clear errors for bad files. */
import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import https from "node:https";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { openSocket, request, waitFor } from "./helpers/raw-socket.js";
import { startTestServer, type TestServer } from "./helpers/test-server.js";

const CLI = resolve(fileURLToPath(import.meta.url), "../../dist/cli.js");
const noOpenssl = spawnSync("openssl", ["version"]).error ? "openssl is not installed: it makes the self-signed certificate" : false;

/** A self-signed certificate for localhost, as the README makes one. */
function makeCertificate(dir: string, name: string): { certfile: string; keyfile: string } {
  const certfile = join(dir, `${name}-cert.pem`);
  const keyfile = join(dir, `${name}-key.pem`);
  execFileSync(
    "openssl",
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-days", "1", "-keyout", keyfile, "-out", certfile],
    { stdio: "ignore" },
  );
  return { certfile, keyfile };
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** An https request trusting only our certificate (checked against the name "localhost"). */
function get(url: string, ca: Buffer, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((done, fail) => {
    https
      .get(url, { ca, servername: "localhost", headers }, (res) => {
        let body = "";
        res.setEncoding("utf8").on("data", (d: string) => (body += d));
        res.on("end", () => done({ status: res.statusCode ?? 0, headers: res.headers, body }));
      })
      .on("error", fail);
  });
}

describe("HTTPS", { skip: noOpenssl }, () => {
  let dir: string;
  let files: { certfile: string; keyfile: string };
  let ca: Buffer;
  let t: TestServer;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "tessera-tls-"));
    files = makeCertificate(dir, "a");
    ca = await readFile(files.certfile);
    t = await startTestServer({ config: files });
  });
  after(async () => {
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("serves REST over https, and says https in its URL", async () => {
    assert.match(t.base, /^https:\/\/127\.0\.0\.1:\d+\/$/);
    const res = await get(new URL("api/status", t.base).href, ca, { authorization: `token ${t.token}` });
    assert.equal(res.status, 200);
    assert.equal(typeof (JSON.parse(res.body) as { started: string }).started, "string");
    assert.equal((await get(new URL("api/status", t.base).href, ca)).status, 403);
  });

  it("refuses plain http on the same port", async () => {
    await assert.rejects(fetch(new URL("api/status", t.base.replace(/^https/, "http"))));
  });

  it("marks the login cookies Secure", async () => {
    const res = await get(new URL(`tree?token=${t.token}`, t.base).href, ca);
    assert.equal(res.status, 302);
    const cookies = res.headers["set-cookie"] ?? [];
    assert.equal(cookies.length, 2);
    for (const c of cookies) assert.match(c, /; Secure/, c);
  });

  it("runs the kernel channels over wss, with the browser's https Origin allowed", async () => {
    const created = await new Promise<string>((done, fail) => {
      const req = https.request(
        new URL("api/kernels", t.base),
        { method: "POST", ca, servername: "localhost", headers: { authorization: `token ${t.token}`, "content-type": "application/json" } },
        (res) => {
          let body = "";
          res.setEncoding("utf8").on("data", (d: string) => (body += d));
          res.on("end", () =>
            res.statusCode === 201 ? done((JSON.parse(body) as { id: string }).id) : fail(new Error(`HTTP ${res.statusCode}: ${body}`)),
          );
        },
      );
      req.on("error", fail).end("{}");
    });
    const wss = t.base.replace(/^https/, "wss");
    const ws = await openSocket(`${wss}api/kernels/${created}/channels?token=${t.token}`, {
      ca,
      servername: "localhost",
      headers: { origin: new URL(t.base).origin },
    });
    const info = request("kernel_info_request", {});
    ws.send(info.frame);
    const reply = await waitFor(ws, (m: any) => m.parent_header?.msg_id === info.msgId && m.header.msg_type === "kernel_info_reply");
    assert.equal(reply.content.status, "ok");
    ws.close();
    // Over https, an http page of the same host is another origin.
    await assert.rejects(
      openSocket(`${wss}api/kernels/${created}/channels?token=${t.token}`, {
        ca,
        servername: "localhost",
        headers: { origin: new URL(t.base).origin.replace("https", "http") },
      }),
      /HTTP 403/,
    );
  });

  it("names the problem with unreadable, mismatched and non-PEM files", async () => {
    const other = makeCertificate(dir, "b");
    await assert.rejects(
      startTestServer({ config: { certfile: join(dir, "missing.pem"), keyfile: files.keyfile } }),
      /cannot read --certfile .*missing\.pem: no such file/,
    );
    await assert.rejects(
      startTestServer({ config: { certfile: files.certfile, keyfile: other.keyfile } }),
      /--keyfile .*b-key\.pem is not the private key of --certfile .*a-cert\.pem/,
    );
    const junk = join(dir, "junk.pem");
    await writeFile(junk, "not a certificate\n");
    await assert.rejects(
      startTestServer({ config: { certfile: junk, keyfile: files.keyfile } }),
      /must be a PEM certificate and its PEM private key/,
    );
  });

  it("prints an https URL from the command line, and refuses half a pair", async () => {
    const env = { ...process.env, TESSERA_CONFIG_DIR: join(dir, "no-config") };
    const child = spawn(
      process.execPath,
      [CLI, "--port", "0", "--root", dir, "--token", "tok", "--certfile", files.certfile, "--keyfile", files.keyfile, "--quiet"],
      { env },
    );
    let out = "";
    const url = await new Promise<string>((done, fail) => {
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        const m = /https:\/\/127\.0\.0\.1:\d+\/\?token=tok/.exec(out);
        if (m) done(m[0]);
      });
      child.once("exit", (code) => fail(new Error(`exited ${code}: ${out}`)));
    });
    assert.equal((await get(new URL("api/status", url).href, ca, { authorization: "token tok" })).status, 200);
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await exited;

    const half = spawnSync(process.execPath, [CLI, "--port", "0", "--certfile", files.certfile], { env, encoding: "utf8" });
    assert.equal(half.status, 2);
    assert.match(half.stderr, /--certfile and --keyfile go together/);
  });
});
