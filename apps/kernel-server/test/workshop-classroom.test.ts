import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { runClassroom } from "./helpers/classroom.js";
import { startWorkshopServer, type WorkshopServer } from "./helpers/workshop-server.js";

const STUDENTS = 30;

describe(`a class of ${STUDENTS} students at once`, () => {
  let w: WorkshopServer;
  before(async () => {
    const names = Array.from({ length: STUDENTS }, (_, i) => `s${String(i + 1).padStart(2, "0")}`);
    const yaml = `defaults: { kernels: 1, memory: 1GiB, cpuThreads: 1 }\nusers:\n  - { name: teacher, role: teacher, password: {{hash}} }\n${names.map((n) => `  - { name: ${n}, password: {{hash}} }`).join("\n")}\n`;
    w = await startWorkshopServer(yaml);
  });
  after(async () => w.close());

  it("each starts a kernel and runs cells; every student gets exactly their own output, in order", async () => {
    const logins = await Promise.all(
      w.server.workspaces
        .all()
        .filter((ws) => ws.user.role === "student")
        .map((ws) => w.login(ws.user.name)),
    );
    const students = logins.map((l) => ({
      name: l.name,
      headers: { cookie: l.cookie, "x-xsrftoken": l.xsrf, origin: w.base.replace(/\/$/, "") },
    }));
    const results = await runClassroom(w.base, students, {
      kernel: "typescript",
      cells: 3,
      print: (line) => `console.log(${JSON.stringify(line)})`,
    });
    assert.equal(results.length, STUDENTS);
    assert.deepEqual(
      results.filter((r) => r.problems.length > 0).map((r) => `${r.name}: ${r.problems.join("; ")}`),
      [],
    );
    // Thirty different kernels, each in its owner's workspace, all shut down after.
    assert.equal(new Set(results.map((r) => r.kernelId)).size, STUDENTS);
    assert.equal(w.server.workspaces.kernels().length, 0);
  });
});
