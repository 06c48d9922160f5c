/** `--base-url /x/`: every route, socket, redirect and the page live under the prefix, as behind a reverse proxy. */
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { normalizeBaseUrl } from "../src/http/base-url.js";
import { openSocket, request, waitFor } from "./helpers/raw-socket.js";
import { startTestServer, type TestServer } from "./helpers/test-server.js";

/** The cookie header a login answer sets (auth cookie and _xsrf). */
const cookieHeader = (res: Response) =>
  res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");

describe("normalizeBaseUrl", () => {
  it("adds the leading and trailing slashes and refuses what cannot be a path prefix", () => {
    for (const [given, want] of [
      ["x", "/x/"],
      ["/x", "/x/"],
      ["x/", "/x/"],
      ["/x/", "/x/"],
      ["/a/b", "/a/b/"],
      ["", "/"],
      ["/", "/"],
      ["//a//b//", "/a/b/"],
    ]) {
      assert.equal(normalizeBaseUrl(given), want, given);
    }
    for (const bad of ["/a/../b", "/./", "/a b/", '/a"b/', "/a?b", "/a#b", "/<x>/"])
      assert.throws(() => normalizeBaseUrl(bad), /invalid --base-url/, bad);
  });
});

describe("a server under --base-url /x/", () => {
  let t: TestServer;
  let webRoot: string;
  let origin: string;

  before(async () => {
    webRoot = await mkdtemp(join(tmpdir(), "tessera-web-"));
    await mkdir(join(webRoot, "assets"));
    // As vite builds it with base "./".
    await writeFile(
      join(webRoot, "index.html"),
      '<!doctype html><html><head><script type="module" crossorigin src="./assets/app.js"></script><link rel="stylesheet" href="./assets/app.css"></head><body></body></html>',
    );
    await writeFile(join(webRoot, "assets", "app.js"), "console.log('page');");
    t = await startTestServer({ config: { baseUrl: "x", webRoot } });
    origin = new URL(t.base).origin;
  });
  after(async () => {
    await t?.close();
    await rm(webRoot, { recursive: true, force: true });
  });

  it("prints its URL with the prefix", () => {
    assert.equal(new URL(t.base).pathname, "/x/");
    assert.equal(t.server.baseUrl, "/x/");
  });

  it("answers REST under the prefix only", async () => {
    assert.equal((await t.api("api/status")).status, 200);
    const outside = await fetch(`${origin}/api/status`, { headers: { authorization: `token ${t.token}` } });
    assert.equal(outside.status, 404);
    assert.match(((await outside.json()) as { message: string }).message, /lives under \/x\//);
    const root = await fetch(`${origin}/`, { redirect: "manual" });
    assert.equal(root.status, 302);
    assert.equal(root.headers.get("location"), "/x/");
  });

  it("puts the prefix on the Location of created resources", async () => {
    const res = await t.api("api/kernels", { method: "POST", body: "{}" });
    assert.equal(res.status, 201);
    const { id } = (await res.json()) as { id: string };
    assert.equal(res.headers.get("location"), `/x/api/kernels/${id}`);
    const made = await t.api("api/contents", { method: "POST", body: JSON.stringify({ type: "notebook" }) });
    assert.match(made.headers.get("location") ?? "", /^\/x\/api\/contents\/Untitled/);
    assert.equal((await t.api(`api/kernels/${id}`, { method: "DELETE" })).status, 204);
  });

  it("runs the kernel channels, the document and metrics sockets under the prefix", async () => {
    const { id } = (await (await t.api("api/kernels", { method: "POST", body: "{}" })).json()) as { id: string };
    await assert.rejects(openSocket(`ws://${new URL(t.base).host}/api/kernels/${id}/channels?token=${t.token}`), /HTTP 404/);
    const ws = await openSocket(`${t.ws}api/kernels/${id}/channels?token=${t.token}`);
    const info = request("kernel_info_request", {});
    ws.send(info.frame);
    const reply = await waitFor(ws, (m: any) => m.parent_header?.msg_id === info.msgId && m.header.msg_type === "kernel_info_reply");
    assert.equal(reply.content.status, "ok");
    ws.close();

    await t.api("api/contents/doc.ipynb", {
      method: "PUT",
      body: JSON.stringify({ type: "notebook", format: "json", content: { nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [] } }),
    });
    const doc = await openSocket(`${t.ws}api/tessera/documents?path=doc.ipynb&token=${t.token}`);
    const snapshot = await waitFor(doc, (m: any) => m.type === "snapshot");
    assert.equal(snapshot.version, 0);
    doc.close();
    const metrics = await openSocket(`${t.ws}api/tessera/metrics?token=${t.token}`);
    metrics.close();
    assert.equal((await t.api(`api/kernels/${id}`, { method: "DELETE" })).status, 204);
  });

  it("serves /files, /metrics and the static assets under the prefix", async () => {
    await writeFile(join(t.root, "hello.txt"), "hi there");
    const file = await t.api("files/hello.txt");
    assert.equal(file.status, 200);
    assert.equal(await file.text(), "hi there");
    assert.equal((await t.api("metrics")).status, 200);
    assert.equal((await fetch(new URL("metrics", t.base))).status, 403);
    const asset = await fetch(new URL("static/assets/app.js", t.base));
    assert.equal(asset.status, 200, "assets need no login");
    assert.equal(await asset.text(), "console.log('page');");
    assert.equal((await fetch(`${origin}/static/assets/app.js`)).status, 404);
  });

  it("swaps ?token= for a cookie scoped to the prefix, and serves the page with the base URL in it", async () => {
    const swap = await fetch(new URL(`tree?token=${t.token}`, t.base), { redirect: "manual" });
    assert.equal(swap.status, 302);
    assert.equal(swap.headers.get("location"), "/x/tree");
    const auth = swap.headers.getSetCookie().find((c) => c.startsWith("tessera-auth-"))!;
    assert.match(auth, /Path=\/x\//);
    const page = await fetch(new URL("notebooks/doc.ipynb", t.base), { headers: { cookie: cookieHeader(swap) } });
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /<meta name="tessera-base-url" content="\/x\/">/);
    assert.match(html, /src="\/x\/static\/assets\/app\.js"/);
    assert.match(html, /href="\/x\/static\/assets\/app\.css"/);
    assert.ok(!/"\.\/assets|"\/static\//.test(html), "no asset reference escapes the prefix");
  });

  it("sends a stranger to the login page under the prefix, and back where they were after it", async () => {
    const asked = await fetch(new URL("notebooks/doc.ipynb", t.base), { redirect: "manual" });
    assert.equal(asked.status, 302);
    const loginAt = asked.headers.get("location")!;
    assert.equal(loginAt, `/x/login?next=${encodeURIComponent("/x/notebooks/doc.ipynb")}`);
    const form = await fetch(new URL(loginAt, origin));
    assert.equal(form.status, 200);
    assert.match(await form.text(), /<form method="post">/);

    const login = await fetch(new URL(loginAt, origin), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: t.token }).toString(),
      redirect: "manual",
    });
    assert.equal(login.status, 302);
    assert.equal(login.headers.get("location"), "/x/notebooks/doc.ipynb");
    assert.equal((await fetch(new URL("api/contents", t.base), { headers: { cookie: cookieHeader(login) } })).status, 200);

    // `next` never leaves the prefix, let alone the site.
    for (const next of ["/elsewhere", "//evil.example/x/", "https://evil.example/x/", "/x//evil.example"]) {
      const res = await fetch(new URL(`login?next=${encodeURIComponent(next)}`, t.base), {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: `token=${t.token}`,
        redirect: "manual",
      });
      assert.equal(res.headers.get("location"), "/x/", next);
    }
  });
});
