/** Failed logins are limited per client address: 5 in the window, then 429 with Retry-After until it passes. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { hashPassword } from "../src/auth/password-hash.js";
import { LoginLimiter } from "../src/auth/login-limiter.js";
import { startTestServer, type TestServer } from "./helpers/test-server.js";

const WINDOW_MS = 1500;
const PASSWORD = "let me in";

function postLogin(t: TestServer, secret: string) {
  return fetch(new URL("login", t.base), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ password: secret }).toString(),
    redirect: "manual",
  });
}

const withToken = (t: TestServer, token: string) => fetch(new URL("api/status", t.base), { headers: { authorization: `token ${token}` } });

describe("LoginLimiter", () => {
  it("slides its window: the oldest failure leaving it lets one more attempt in", () => {
    let now = 0;
    const limiter = new LoginLimiter({ maxFailures: 3, windowMs: 100 }, () => now);
    for (const at of [0, 10, 20]) {
      now = at;
      assert.equal(limiter.retryAfterMs("a"), 0);
      limiter.failed("a");
    }
    assert.equal(limiter.retryAfterMs("a"), 80, "until the failure at 0 is 100 ms old");
    assert.equal(limiter.retryAfterMs("b"), 0, "per address");
    now = 101;
    assert.equal(limiter.retryAfterMs("a"), 0);
    limiter.failed("a");
    assert.equal(limiter.retryAfterMs("a"), 9);
    limiter.succeeded("a");
    assert.equal(limiter.retryAfterMs("a"), 0);
  });
});

describe("login rate limiting", () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({
      config: { passwordHash: await hashPassword(PASSWORD) },
      app: { loginLimit: { maxFailures: 5, windowMs: WINDOW_MS } },
    });
  });
  after(async () => t?.close());

  it("answers the 6th failed attempt with 429, Retry-After and a message on the page; even the right password waits", async () => {
    for (let i = 1; i <= 5; i++) assert.equal((await postLogin(t, `guess ${i}`)).status, 403, `attempt ${i}`);
    const sixth = await postLogin(t, "guess 6");
    assert.equal(sixth.status, 429);
    const retryAfter = Number(sixth.headers.get("retry-after"));
    assert.ok(retryAfter >= 1 && retryAfter <= Math.ceil(WINDOW_MS / 1000), `Retry-After: ${retryAfter}`);
    const page = await sixth.text();
    assert.match(page, /Too many failed login attempts from your address: try again in \d+ s/);
    assert.match(page, /<form method="post">/, "the message is on the login page");
    assert.equal((await postLogin(t, PASSWORD)).status, 429, "blocked means blocked, right or wrong");
    // The token door is the same door.
    const api = await withToken(t, t.token);
    assert.equal(api.status, 429);
    assert.match(((await api.json()) as { message: string }).message, /Too many failed login attempts/);
  });

  it("lets the right password in once the window has passed, and a success starts the count again", async () => {
    await new Promise((r) => setTimeout(r, WINDOW_MS + 100));
    const ok = await postLogin(t, PASSWORD);
    assert.equal(ok.status, 302);
    assert.ok(ok.headers.getSetCookie().some((c) => c.startsWith("tessera-auth-")));
    // Cleared by the success: five more failures before the next 429.
    for (let i = 1; i <= 5; i++) assert.equal((await postLogin(t, `again ${i}`)).status, 403, `attempt ${i} after the reset`);
    assert.equal((await postLogin(t, "again 6")).status, 429);
  });

  it("counts wrong tokens (header or ?token=) like wrong passwords", async () => {
    await new Promise((r) => setTimeout(r, WINDOW_MS + 100));
    for (let i = 1; i <= 3; i++) assert.equal((await withToken(t, `wrong-${i}`)).status, 403);
    assert.equal((await fetch(new URL("tree?token=wrong-4", t.base), { redirect: "manual" })).status, 403);
    assert.equal((await postLogin(t, "wrong 5")).status, 403);
    assert.equal((await withToken(t, t.token)).status, 429);
    await new Promise((r) => setTimeout(r, WINDOW_MS + 100));
    assert.equal((await withToken(t, t.token)).status, 200);
  });
});
