import assert from "node:assert/strict";
import http from "node:http";
import { symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { openSocket, request, waitFor } from "./helpers/raw-socket.js";
import { startTestServer, type TestServer } from "./helpers/test-server.js";

describe("auth, origins and hostile input", () => {
  let t: TestServer;
  let kernelId: string;

  before(async () => {
    t = await startTestServer();
    const res = await t.api("/api/kernels", { method: "POST", body: JSON.stringify({ name: "typescript" }) });
    kernelId = ((await res.json()) as { id: string }).id;
  });
  after(async () => t?.close());

  it("refuses REST without a token and with a wrong one", async () => {
    assert.equal((await fetch(new URL("/api/kernels", t.base))).status, 403);
    assert.equal((await fetch(new URL("/api/kernels", t.base), { headers: { authorization: "token nope" } })).status, 403);
    assert.equal((await t.api("/api/kernels")).status, 200);
  });

  it("refuses a WebSocket without a token", async () => {
    await assert.rejects(openSocket(`${t.ws}api/kernels/${kernelId}/channels`), /HTTP 403/);
  });

  it("refuses a WebSocket from another origin, even with the token", async () => {
    await assert.rejects(
      openSocket(`${t.ws}api/kernels/${kernelId}/channels?token=${t.token}`, { headers: { origin: "http://evil.example" } }),
      /HTTP 403/,
    );
    const ok = await openSocket(`${t.ws}api/kernels/${kernelId}/channels?token=${t.token}`, {
      headers: { origin: t.base.replace(/\/$/, "") },
    });
    ok.close();
  });

  it("refuses a rebound Host name (DNS rebinding)", async () => {
    // fetch() will not send a forged Host header; node:http will.
    const status = await new Promise<number>((resolve, reject) => {
      const u = new URL("/api/status", t.base);
      http
        .get(
          {
            host: u.hostname,
            port: u.port,
            path: u.pathname,
            headers: { authorization: `token ${t.token}`, host: `evil.example:${u.port}` },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        )
        .on("error", reject);
    });
    assert.equal(status, 403);
  });

  it("swaps ?token= on a page load for an HttpOnly cookie and a clean URL", async () => {
    const res = await fetch(new URL(`/tree?token=${t.token}`, t.base), { redirect: "manual" });
    assert.equal(res.status, 302);
    assert.equal(res.headers.get("location"), "/tree");
    const cookies = res.headers.getSetCookie();
    const auth = cookies.find((c) => c.startsWith("tessera-auth-"))!;
    assert.match(auth, /HttpOnly/);
    assert.ok(!auth.includes(t.token), "the cookie must not be the token itself");
    const xsrf = cookies.find((c) => c.startsWith("_xsrf="))!;
    const cookieHeader = [auth.split(";")[0], xsrf.split(";")[0]].join("; ");
    // The cookie authenticates reads...
    assert.equal((await fetch(new URL("/api/kernels", t.base), { headers: { cookie: cookieHeader } })).status, 200);
    // ...but a write needs the XSRF header too.
    const noXsrf = await fetch(new URL("/api/contents", t.base), {
      method: "POST",
      headers: { cookie: cookieHeader, "content-type": "application/json" },
      body: '{"type":"directory"}',
    });
    assert.equal(noXsrf.status, 403);
    const withXsrf = await fetch(new URL("/api/contents", t.base), {
      method: "POST",
      headers: {
        cookie: cookieHeader,
        "content-type": "application/json",
        "x-xsrftoken": decodeURIComponent(xsrf.split(";")[0].split("=")[1]),
      },
      body: '{"type":"directory"}',
    });
    assert.equal(withXsrf.status, 201);
  });

  it("refuses path escapes", async () => {
    await writeFile(join(t.root, "inside.txt"), "ok");
    await symlink("/etc", join(t.root, "outside-link"));
    for (const p of ["../etc/passwd", "%2e%2e/%2e%2e/etc/passwd", "..%2fetc%2fpasswd", "outside-link/passwd", "%2Fetc%2Fpasswd"]) {
      const res = await t.api(`/api/contents/${p}`);
      assert.ok(res.status === 404 || res.status === 403 || res.status === 400, `${p} gave ${res.status}`);
      const text = await res.text();
      assert.ok(!text.includes("root:"), `${p} leaked file content`);
    }
    assert.equal((await t.api("/api/contents/inside.txt")).status, 200);
  });

  it("serves raw files sandboxed, and only inside the root", async () => {
    await writeFile(join(t.root, "page.html"), "<script>parent.x = 1</script>");
    const res = await t.api("/files/page.html");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-security-policy"), "sandbox");
    assert.match(res.headers.get("content-type") ?? "", /text\/html/);
    assert.equal(await res.text(), "<script>parent.x = 1</script>");
    const anon = await fetch(new URL("/files/page.html", t.base), { redirect: "manual" });
    assert.equal(anon.status, 302);
    assert.match(anon.headers.get("location") ?? "", /^\/login\?next=/);
    for (const p of ["..%2f..%2fetc%2fpasswd", "outside-link/passwd", ".hidden"]) {
      const bad = await t.api(`/files/${p}`);
      assert.ok(bad.status === 404 || bad.status === 400, `${p} gave ${bad.status}`);
    }
  });

  it("answers garbage frames with errors and keeps serving", async () => {
    const ws = await openSocket(`${t.ws}api/kernels/${kernelId}/channels?token=${t.token}&session_id=garbage`);
    ws.send("{not json");
    ws.send(JSON.stringify({ header: "nope" }));
    ws.send(Buffer.from([0, 1, 2, 3, 255, 254]));
    const unknown = request("launch_missiles_request", {});
    ws.send(unknown.frame);
    const wrongChannel = request("execute_request", { code: "1" }, "control");
    ws.send(wrongChannel.frame);
    const ok = request("kernel_info_request", {});
    ws.send(ok.frame);
    await waitFor(ws, (m: any) => m.parent_header?.msg_id === ok.msgId && m.header.msg_type === "kernel_info_reply");
    const problems = ws.received;
    const errors = problems.filter((m) => m.header.msg_type === "error" || m.content?.status === "error");
    assert.ok(errors.length >= 5, `expected 5 error answers, got ${errors.length}`);
    assert.ok(problems.some((m) => m.parent_header?.msg_id === unknown.msgId && /unknown msg_type/.test(m.content.evalue)));
    assert.ok(problems.some((m) => m.parent_header?.msg_id === wrongChannel.msgId && /channel/.test(m.content.evalue)));
    ws.close();
    assert.equal((await t.api("/api/status")).status, 200);
  });

  it("closes a socket that sends an oversized frame, and keeps serving", async () => {
    const ws = await openSocket(`${t.ws}api/kernels/${kernelId}/channels?token=${t.token}`);
    const closed = new Promise<number>((r) => ws.once("close", (code) => r(code)));
    ws.send("x".repeat(17 * 1024 * 1024));
    assert.equal(await closed, 1009);
    assert.equal((await t.api("/api/status")).status, 200);
  });

  it("gives 4xx with a message for bad REST input", async () => {
    const bad = await t.api("/api/sessions", { method: "POST", body: "{oops" });
    assert.equal(bad.status, 400);
    assert.ok(((await bad.json()) as { message: string }).message);
    assert.equal((await t.api("/api/kernels/not-a-kernel")).status, 404);
    assert.equal((await t.api("/api/kernels", { method: "POST", body: JSON.stringify({ name: "python3" }) })).status, 404);
  });
});
