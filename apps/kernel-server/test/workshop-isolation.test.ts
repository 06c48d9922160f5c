import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { KernelModel, SessionModel } from "@tessera/protocol";
import { request, waitFor } from "./helpers/raw-socket.js";
import { SEPARATE_UIDS, startWorkshopServer, type Login, type WorkshopServer } from "./helpers/workshop-server.js";

const USERS = `defaults: { kernels: 3 }
users:
  - { name: teacher, role: teacher, password: {{hash}} }
  - { name: alice, password: {{hash}} }
  - { name: bob, password: {{hash}} }
`;

const NOTEBOOK = {
  cells: [{ cell_type: "code", source: "1 + 1", metadata: {}, outputs: [], execution_count: null }],
  metadata: {},
  nbformat: 4,
  nbformat_minor: 5,
};

/** Every request bob makes naming alice's things must fail like a thing that does not exist (or is not allowed). */
const refused = (status: number) => assert.ok([400, 403, 404].includes(status), `expected a refusal, got HTTP ${status}`);

describe("workshop isolation: every route with another user's ids and cookies", () => {
  let w: WorkshopServer;
  let alice: Login;
  let bob: Login;
  let aliceKernel: string;
  let aliceSession: string;
  let aliceCheckpoint: string;
  const aliceHome = () => join(w.dir, "homes", "alice");

  before(async () => {
    w = await startWorkshopServer(USERS);
    alice = await w.login("alice");
    bob = await w.login("bob");
    assert.equal(
      (await alice.api("api/contents/secret.ipynb", { method: "PUT", body: JSON.stringify({ type: "notebook", content: NOTEBOOK }) }))
        .status,
      201,
    );
    assert.equal((await alice.api("api/contents/data", { method: "PUT", body: JSON.stringify({ type: "directory" }) })).status, 201);
    assert.equal(
      (
        await alice.api("api/contents/data/notes.txt", {
          method: "PUT",
          body: JSON.stringify({ type: "file", format: "text", content: "alice's notes" }),
        })
      ).status,
      201,
    );
    aliceCheckpoint = ((await (await alice.api("api/contents/secret.ipynb/checkpoints", { method: "POST" })).json()) as { id: string }).id;
    const session = (await (
      await alice.api("api/sessions", {
        method: "POST",
        body: JSON.stringify({ path: "secret.ipynb", type: "notebook", kernel: { name: "typescript" } }),
      })
    ).json()) as SessionModel;
    aliceSession = session.id;
    aliceKernel = session.kernel!.id;
  });
  after(async () => w.close());

  /** Alice's things are all still there and her kernel still answers. */
  async function aliceIntact(): Promise<void> {
    assert.equal(await readFile(join(aliceHome(), "data/notes.txt"), "utf8"), "alice's notes");
    assert.equal([JSON.parse(await readFile(join(aliceHome(), "secret.ipynb"), "utf8")).cells[0].source].flat().join(""), "1 + 1");
    const k = (await (await alice.api(`api/kernels/${aliceKernel}`)).json()) as KernelModel;
    assert.notEqual(k.execution_state, "dead");
    assert.equal((await alice.api(`api/sessions/${aliceSession}`)).status, 200);
  }

  const cases: Record<string, () => Promise<void>> = {
    // Public: the login form and the page's static files hold nothing of anyone's.
    "GET /login": async () => assert.equal((await fetch(new URL("login", w.base))).status, 200),
    "POST /login": async () => {
      // Bob's password does not open alice's account.
      const res = await fetch(new URL("login", w.base), {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded", origin: w.base.replace(/\/$/, "") },
        body: new URLSearchParams({ username: "alice", password: "bob's guess" }).toString(),
      });
      assert.equal(res.status, 403);
    },
    "GET /logout": async () => assert.equal((await fetch(new URL("logout", w.base), { redirect: "manual" })).status, 302),
    "POST /logout": async () =>
      assert.equal(
        (await fetch(new URL("logout", w.base), { method: "POST", redirect: "manual", headers: { origin: w.base.replace(/\/$/, "") } }))
          .status,
        302,
      ),
    "GET /static/*": async () => assert.ok([200, 404].includes((await bob.api("static/nothing-here.js")).status)),
    "GET /": async () => assert.doesNotMatch(await (await bob.api("")).text(), /secret\.ipynb|alice/),
    "GET /tree": async () => assert.doesNotMatch(await (await bob.api("tree")).text(), /secret\.ipynb/),
    "GET /tree/*": async () => assert.doesNotMatch(await (await bob.api("tree/data")).text(), /notes\.txt/),
    "GET /notebooks/*": async () => assert.doesNotMatch(await (await bob.api("notebooks/secret.ipynb")).text(), /1 \+ 1/),
    "GET /admin": async () => assert.doesNotMatch(await (await bob.api("admin")).text(), /alice/),
    "GET /favicon.ico": async () => assert.equal((await bob.api("favicon.ico")).status, 204),
    "GET /api": async () => assert.equal((await bob.api("api")).status, 200),
    "GET /api/kernelspecs": async () => assert.equal((await bob.api("api/kernelspecs")).status, 200),
    "GET /api/kernelspecs/:name": async () => assert.equal((await bob.api("api/kernelspecs/typescript")).status, 200),

    "GET /api/status": async () => assert.equal(((await (await bob.api("api/status")).json()) as { kernels: number }).kernels, 0),
    "GET /api/me": async () =>
      assert.equal(((await (await bob.api("api/me")).json()) as { identity: { username: string } }).identity.username, "bob"),
    "GET /api/kernels": async () => assert.deepEqual(await (await bob.api("api/kernels")).json(), []),
    "POST /api/kernels": async () => {
      refused(
        (await bob.api("api/kernels", { method: "POST", body: JSON.stringify({ name: "typescript", path: "../alice/secret.ipynb" }) }))
          .status,
      );
      refused((await bob.api("api/kernels", { method: "POST", body: JSON.stringify({ name: "typescript", path: "../../" }) })).status);
    },
    "GET /api/kernels/:id": async () => assert.equal((await bob.api(`api/kernels/${aliceKernel}`)).status, 404),
    "DELETE /api/kernels/:id": async () => assert.equal((await bob.api(`api/kernels/${aliceKernel}`, { method: "DELETE" })).status, 404),
    "POST /api/kernels/:id/interrupt": async () =>
      assert.equal((await bob.api(`api/kernels/${aliceKernel}/interrupt`, { method: "POST" })).status, 404),
    "POST /api/kernels/:id/restart": async () =>
      assert.equal((await bob.api(`api/kernels/${aliceKernel}/restart`, { method: "POST" })).status, 404),
    "GET /api/kernels/:id/channels": async () => {
      await assert.rejects(bob.socket(`api/kernels/${aliceKernel}/channels?session_id=x`), /HTTP 404/);
      // Alice's own socket on it works (the refusal is about bob, not the kernel).
      const ws = await alice.socket(`api/kernels/${aliceKernel}/channels?session_id=alice-1`);
      const req = request("kernel_info_request", {});
      ws.send(req.frame);
      await waitFor(ws, (m) => m.header?.msg_type === "kernel_info_reply");
      ws.close();
    },

    "GET /api/sessions": async () => assert.deepEqual(await (await bob.api("api/sessions")).json(), []),
    "GET /api/sessions/:id": async () => assert.equal((await bob.api(`api/sessions/${aliceSession}`)).status, 404),
    "POST /api/sessions": async () => {
      const res = await bob.api("api/sessions", {
        method: "POST",
        body: JSON.stringify({ path: "secret.ipynb", type: "notebook", kernel: { id: aliceKernel } }),
      });
      assert.equal(res.status, 404);
      refused(
        (await bob.api("api/sessions", { method: "POST", body: JSON.stringify({ path: "../alice/secret.ipynb", type: "notebook" }) }))
          .status,
      );
      assert.deepEqual(await (await bob.api("api/sessions")).json(), []);
    },
    "PATCH /api/sessions/:id": async () =>
      assert.equal(
        (await bob.api(`api/sessions/${aliceSession}`, { method: "PATCH", body: JSON.stringify({ path: "mine.ipynb" }) })).status,
        404,
      ),
    "DELETE /api/sessions/:id": async () => assert.equal((await bob.api(`api/sessions/${aliceSession}`, { method: "DELETE" })).status, 404),

    "GET /api/tessera/documents": async () => {
      for (const path of ["secret.ipynb", "../alice/secret.ipynb", "/../alice/secret.ipynb"]) {
        const ws = await bob.socket(`api/tessera/documents?path=${encodeURIComponent(path)}`);
        const first = await waitFor(ws, () => true);
        assert.equal(first.type, "error", `bob opened ${path}`);
        ws.close();
      }
    },
    "GET /api/tessera/me": async () => {
      const me = (await (await bob.api("api/tessera/me")).json()) as { name: string; kernels: unknown[] };
      assert.equal(me.name, "bob");
      assert.deepEqual(me.kernels, []);
    },
    "GET /api/tessera/admin/users": async () => assert.equal((await bob.api("api/tessera/admin/users")).status, 403),
    "POST /api/tessera/admin/distribute": async () => {
      const res = await bob.api("api/tessera/admin/distribute", {
        method: "POST",
        body: JSON.stringify({ path: "x.ipynb", users: ["alice"], overwrite: true }),
      });
      assert.equal(res.status, 403);
    },
    "DELETE /api/tessera/admin/kernels/:id": async () =>
      assert.equal((await bob.api(`api/tessera/admin/kernels/${aliceKernel}`, { method: "DELETE" })).status, 403),
    "GET /api/tessera/metrics": async () => {
      const ws = await bob.socket("api/tessera/metrics");
      ws.send(JSON.stringify({ type: "subscribe", intervalMs: 250 }));
      const history = await waitFor(ws, (m) => m.type === "history");
      const sample = await waitFor(ws, (m) => m.type === "sample");
      ws.close();
      assert.deepEqual(sample.sample.kernels, []);
      assert.ok(!JSON.stringify(history).includes(aliceKernel));
      assert.ok(!JSON.stringify(sample).includes(aliceKernel));
      // The teacher's stream has alice's kernel: the filter is about who asks.
      const teacher = await w.login("teacher");
      const tws = await teacher.socket("api/tessera/metrics");
      tws.send(JSON.stringify({ type: "subscribe", intervalMs: 250 }));
      const ts = await waitFor(tws, (m) => m.type === "sample" && m.sample.kernels.length > 0);
      tws.close();
      assert.equal(ts.sample.kernels[0].kernelId, aliceKernel);
      assert.equal(ts.sample.kernels[0].user, "alice");
    },
    "GET /metrics": async () => assert.equal((await bob.api("metrics")).status, 403),

    "GET /api/contents": async () => {
      const listing = (await (await bob.api("api/contents")).json()) as { content: Array<{ name: string }> };
      assert.deepEqual(listing.content, []);
    },
    "PUT /api/contents": async () => {
      // The root is bob's own home: saving it as a folder changes nothing anywhere.
      await bob.api("api/contents", { method: "PUT", body: JSON.stringify({ type: "directory" }) });
      assert.deepEqual(((await (await bob.api("api/contents")).json()) as { content: unknown[] }).content, []);
    },
    "POST /api/contents": async () => {
      const res = await bob.api("api/contents", { method: "POST", body: JSON.stringify({ copy_from: "../alice/secret.ipynb" }) });
      refused(res.status);
    },
    "PATCH /api/contents": async () =>
      refused((await bob.api("api/contents", { method: "PATCH", body: JSON.stringify({ path: "../alice" }) })).status),
    "DELETE /api/contents": async () => refused((await bob.api("api/contents", { method: "DELETE" })).status),
    "GET /api/contents/*": async () => {
      assert.equal((await bob.api("api/contents/secret.ipynb")).status, 404);
      refused((await bob.api("api/contents/..%2Falice%2Fsecret.ipynb")).status);
      refused((await bob.api("api/contents/%2E%2E/alice/data/notes.txt")).status);
      // As Jupyter: a path with no checkpoints lists none (bob's own home has no such file).
      assert.deepEqual(await (await bob.api(`api/contents/secret.ipynb/checkpoints`)).json(), []);
    },
    "PUT /api/contents/*": async () => {
      refused(
        (
          await bob.api("api/contents/..%2Falice%2Fdata%2Fnotes.txt", {
            method: "PUT",
            body: JSON.stringify({ type: "file", format: "text", content: "bob was here" }),
          })
        ).status,
      );
      refused(
        (await bob.api("api/contents/stolen.ipynb", { method: "PUT", body: JSON.stringify({ copy_from: "../alice/secret.ipynb" }) }))
          .status,
      );
    },
    "POST /api/contents/*": async () => {
      refused((await bob.api("api/contents/..%2Falice", { method: "POST", body: JSON.stringify({ type: "notebook" }) })).status);
      assert.equal((await bob.api(`api/contents/secret.ipynb/checkpoints`, { method: "POST" })).status, 404);
      assert.equal((await bob.api(`api/contents/secret.ipynb/checkpoints/${aliceCheckpoint}`, { method: "POST" })).status, 404);
    },
    "PATCH /api/contents/*": async () => {
      refused(
        (await bob.api("api/contents/..%2Falice%2Fsecret.ipynb", { method: "PATCH", body: JSON.stringify({ path: "mine.ipynb" }) })).status,
      );
      assert.equal(
        (await bob.api("api/contents/secret.ipynb", { method: "PATCH", body: JSON.stringify({ path: "mine.ipynb" }) })).status,
        404,
      );
    },
    "DELETE /api/contents/*": async () => {
      assert.equal((await bob.api("api/contents/secret.ipynb", { method: "DELETE" })).status, 404);
      refused((await bob.api("api/contents/..%2Falice%2Fsecret.ipynb", { method: "DELETE" })).status);
      assert.equal((await bob.api(`api/contents/secret.ipynb/checkpoints/${aliceCheckpoint}`, { method: "DELETE" })).status, 404);
    },
    "GET /files/*": async () => {
      assert.equal((await bob.api("files/data/notes.txt")).status, 404);
      refused((await bob.api("files/..%2Falice%2Fdata%2Fnotes.txt")).status);
      refused((await bob.api("files/%2E%2E/alice/data/notes.txt")).status);
    },
  };

  it("has a case for every route the server registers", () => {
    const missing = w.server.routes.filter((r) => !(r in cases));
    assert.deepEqual(missing, [], `routes without an isolation case: ${missing.join(", ")}`);
  });

  for (const [route, run] of Object.entries(cases)) {
    it(`${route}: bob cannot see or touch alice's things`, async () => {
      await run();
      await aliceIntact();
    });
  }

  it("refuses a cookie edited to name another user, and one from before a password change", async () => {
    const value = bob.cookie.split("; ").find((c) => c.startsWith("tessera-auth-"))!;
    const [name, raw] = value.split("=");
    const [, issued, mac] = decodeURIComponent(raw).split(".");
    const forged = `${name}=${encodeURIComponent(`${Buffer.from("alice").toString("base64url")}.${issued}.${mac}`)}`;
    const res = await fetch(new URL("api/contents", w.base), { headers: { cookie: forged } });
    assert.equal(res.status, 403);
    const page = await fetch(new URL("tree", w.base), { headers: { cookie: forged }, redirect: "manual" });
    assert.equal(page.status, 302);
    assert.match(page.headers.get("location") ?? "", /\/login\?next=/);
  });

  it("refuses every API route without a login", async () => {
    for (const route of ["api/contents", "api/kernels", "api/sessions", "api/tessera/me", "api/tessera/admin/users", "metrics"]) {
      assert.equal((await fetch(new URL(route, w.base))).status, 403, route);
    }
    // A page or a file: sent to the login form.
    for (const route of ["files/data/notes.txt", "tree", "admin"]) {
      const res = await fetch(new URL(route, w.base), { redirect: "manual" });
      assert.equal(res.status, 302, route);
      assert.match(res.headers.get("location") ?? "", /\/login\?next=/);
    }
  });

  it("runs each user's kernels under their own uid: another's home, the server's secrets and other kernels are out of reach", async (t) => {
    if (!SEPARATE_UIDS) return t.skip("kernels cannot run under separate uids here (not root, or the code is out of other users' reach)");
    // Bob's kernel tries alice's home, the server's environment and alice's kernel process.
    const bobKernel = (await (
      await bob.api("api/kernels", { method: "POST", body: JSON.stringify({ name: "typescript" }) })
    ).json()) as KernelModel;
    const alicePid = w.server.workspaces.get("alice").kernels.get(aliceKernel).pid!;
    await bob.api("api/contents/mine.txt", {
      method: "PUT",
      body: JSON.stringify({ type: "file", format: "text", content: "from the API" }),
    });
    const ws = await bob.socket(`api/kernels/${bobKernel.id}/channels?session_id=bob-uid`);
    const code = [
      'const fs = await import("node:fs");',
      "const tryIt = (f: () => unknown) => { try { f(); return 'ok'; } catch (e) { return (e as NodeJS.ErrnoException).code; } };",
      "console.log(JSON.stringify({",
      "  uid: process.getuid!(),",
      `  aliceHome: tryIt(() => fs.readdirSync(${JSON.stringify(aliceHome())})),`,
      `  aliceFile: tryIt(() => fs.readFileSync(${JSON.stringify(join(aliceHome(), "data/notes.txt"))})),`,
      `  serverEnv: tryIt(() => fs.readFileSync("/proc/${process.pid}/environ")),`,
      `  killAlice: tryIt(() => process.kill(${alicePid}, 0)),`,
      '  ownApiFile: tryIt(() => fs.appendFileSync("mine.txt", " and from the kernel")),',
      '  ownNew: tryIt(() => fs.writeFileSync("made-by-kernel.txt", "hi")),',
      "}));",
    ].join("\n");
    const req = request("execute_request", { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false });
    ws.send(req.frame);
    const out = await waitFor(ws, (m) => m.header?.msg_type === "stream" && m.parent_header?.msg_id === req.msgId);
    ws.close();
    const seen = JSON.parse(out.content.text);
    assert.deepEqual(seen, {
      uid: 200_002,
      aliceHome: "EACCES",
      aliceFile: "EACCES",
      serverEnv: "EACCES",
      killAlice: "EPERM",
      ownApiFile: "ok",
      ownNew: "ok",
    });
    // What the kernel wrote shows through the API, and the API's file took the kernel's append.
    assert.equal(
      ((await (await bob.api("api/contents/mine.txt")).json()) as { content: string }).content,
      "from the API and from the kernel",
    );
    assert.equal((await bob.api("api/contents/made-by-kernel.txt")).status, 200);
    assert.equal((await bob.api(`api/kernels/${bobKernel.id}`, { method: "DELETE" })).status, 204);
  });

  it("runs each user's kernel in their own home, with their own environment", async () => {
    const bobKernel = (await (
      await bob.api("api/kernels", { method: "POST", body: JSON.stringify({ name: "typescript" }) })
    ).json()) as KernelModel;
    const ws = await bob.socket(`api/kernels/${bobKernel.id}/channels?session_id=bob-1`);
    const req = request("execute_request", {
      code: "console.log(process.cwd(), process.env.TESSERA_USER)",
      silent: false,
      store_history: true,
      user_expressions: {},
      allow_stdin: false,
    });
    ws.send(req.frame);
    const out = await waitFor(ws, (m) => m.header?.msg_type === "stream" && m.parent_header?.msg_id === req.msgId);
    ws.close();
    assert.equal(out.content.text.trim(), `${join(w.dir, "homes", "bob")} bob`);
    assert.equal((await bob.api(`api/kernels/${bobKernel.id}`, { method: "DELETE" })).status, 204);
  });
});
