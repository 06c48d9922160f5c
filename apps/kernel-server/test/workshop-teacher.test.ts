import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { AdminUsersModel, DistributeResult, KernelModel, SessionModel } from "@tessera/protocol";
import { request, waitFor } from "./helpers/raw-socket.js";
import { startWorkshopServer, type Login, type WorkshopServer } from "./helpers/workshop-server.js";

const USERS = `defaults: { kernels: 2, memory: 2GiB }
users:
  - { name: teacher, role: teacher, password: {{hash}} }
  - { name: alice, password: {{hash}} }
  - { name: bob, password: {{hash}} }
`;

const NOTEBOOK = (source: string) => ({
  cells: [{ cell_type: "code", source, metadata: {}, outputs: [], execution_count: null }],
  metadata: {},
  nbformat: 4,
  nbformat_minor: 5,
});

describe("workshop: the teacher's routes", () => {
  let w: WorkshopServer;
  let teacher: Login;
  let alice: Login;
  let bob: Login;

  before(async () => {
    w = await startWorkshopServer(USERS);
    [teacher, alice, bob] = await Promise.all(["teacher", "alice", "bob"].map((n) => w.login(n)));
    await teacher.api("api/contents/lessons", { method: "PUT", body: JSON.stringify({ type: "directory" }) });
    const put = await teacher.api("api/contents/lessons/intro.ipynb", {
      method: "PUT",
      body: JSON.stringify({ type: "notebook", content: NOTEBOOK("console.log('lesson 1')") }),
    });
    assert.equal(put.status, 201);
  });
  after(async () => w.close());

  const distribute = async (body: object) => {
    const res = await teacher.api("api/tessera/admin/distribute", { method: "POST", body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as DistributeResult & { message?: string } };
  };
  const sourceIn = async (user: string, path: string) =>
    [JSON.parse(await readFile(join(w.dir, "homes", user, path), "utf8")).cells[0].source].flat().join("");

  it("copies a notebook into every student's home, folders made as needed", async () => {
    const { status, body } = await distribute({ path: "lessons/intro.ipynb" });
    assert.equal(status, 200);
    assert.deepEqual(body, { copied: ["alice", "bob"], skipped: [] });
    assert.equal(await sourceIn("alice", "lessons/intro.ipynb"), "console.log('lesson 1')");
    assert.equal(await sourceIn("bob", "lessons/intro.ipynb"), "console.log('lesson 1')");
    // The student sees it through their own contents API.
    assert.equal((await alice.api("api/contents/lessons/intro.ipynb")).status, 200);
  });

  it("leaves a student's own changes alone unless asked to overwrite", async () => {
    await alice.api("api/contents/lessons/intro.ipynb", {
      method: "PUT",
      body: JSON.stringify({ type: "notebook", content: NOTEBOOK("alice's work") }),
    });
    const again = await distribute({ path: "lessons/intro.ipynb" });
    assert.deepEqual(again.body.copied, []);
    assert.deepEqual(
      again.body.skipped.map((s) => s.user),
      ["alice", "bob"],
    );
    assert.match(again.body.skipped[0].reason, /already has it/);
    assert.equal(await sourceIn("alice", "lessons/intro.ipynb"), "alice's work");
    const forced = await distribute({ path: "lessons/intro.ipynb", users: ["alice", "nobody"], overwrite: true });
    assert.deepEqual(forced.body, { copied: ["alice"], skipped: [{ user: "nobody", reason: "no such user" }] });
    assert.equal(await sourceIn("alice", "lessons/intro.ipynb"), "console.log('lesson 1')");
  });

  it("answers bad requests with a clear message", async () => {
    assert.equal((await distribute({})).status, 400);
    const missing = await distribute({ path: "nope.ipynb" });
    assert.equal(missing.status, 404);
    const folder = await distribute({ path: "lessons" });
    assert.equal(folder.status, 400);
    assert.match(folder.body.message!, /is a folder/);
    const escape = await distribute({ path: "../alice/lessons/intro.ipynb" });
    assert.ok([400, 404].includes(escape.status));
  });

  it("lists every user with their kernels, notebooks and memory, and stops any kernel with a reason the student sees", async () => {
    const session = (await (
      await alice.api("api/sessions", {
        method: "POST",
        body: JSON.stringify({ path: "lessons/intro.ipynb", type: "notebook", kernel: { name: "typescript" } }),
      })
    ).json()) as SessionModel;
    const kernelId = session.kernel!.id;
    const ws = await alice.socket(`api/kernels/${kernelId}/channels?session_id=alice`);
    const req = request("execute_request", {
      code: "await new Promise((r) => setTimeout(r, 60_000))",
      silent: false,
      store_history: true,
      user_expressions: {},
      allow_stdin: false,
    });
    ws.send(req.frame);
    await waitFor(ws, (m) => m.header?.msg_type === "status" && m.content.execution_state === "busy");

    // Usage columns fill in once the sampler has read the process (it starts on the first ask).
    let users: AdminUsersModel["users"] = [];
    for (let i = 0; i < 50; i++) {
      users = ((await (await teacher.api("api/tessera/admin/users")).json()) as AdminUsersModel).users;
      if (users.find((u) => u.name === "alice")?.kernels[0]?.rssBytes) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.deepEqual(
      users.map((u) => [u.name, u.role, u.kernels.length]),
      [
        ["teacher", "teacher", 0],
        ["alice", "student", 1],
        ["bob", "student", 0],
      ],
    );
    const row = users[1].kernels[0];
    assert.equal(row.kernelId, kernelId);
    assert.equal(row.notebook, "lessons/intro.ipynb");
    assert.equal(row.executionState, "busy");
    assert.ok(row.rssBytes! > 10 * 2 ** 20, `rss ${row.rssBytes}`);
    assert.equal(users[1].limits.memoryBytes, 2 * 2 ** 30);

    assert.equal((await teacher.api(`api/tessera/admin/kernels/${kernelId}`, { method: "DELETE" })).status, 204);
    const reply = await waitFor(ws, (m) => m.header?.msg_type === "execute_reply" && m.parent_header?.msg_id === req.msgId);
    assert.equal(reply.content.ename, "KernelStopped");
    assert.equal(reply.content.evalue, "The kernel was stopped by the teacher (teacher)");
    ws.close();
    const model = (await (await alice.api(`api/kernels/${kernelId}`)).json()) as KernelModel;
    assert.equal(model.execution_state, "dead");
    assert.equal(model.reason, "stopped by the teacher (teacher)");
    assert.equal((await teacher.api("api/tessera/admin/kernels/not-a-kernel", { method: "DELETE" })).status, 404);
    // Bob is untouched, and a student cannot use the teacher's routes.
    assert.equal((await bob.api(`api/tessera/admin/kernels/${kernelId}`, { method: "DELETE" })).status, 403);
    assert.equal((await alice.api(`api/kernels/${kernelId}`, { method: "DELETE" })).status, 204);
  });

  it("lets the teacher read /metrics with every user's kernels labelled", async () => {
    const res = await teacher.api("metrics");
    assert.equal(res.status, 200);
    assert.match(await res.text(), /tessera_kernels \d/);
  });
});
