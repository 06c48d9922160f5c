/**
 * Workshop mode in two browsers: the teacher copies a notebook to the students, a student
 * logs in with their name and password and runs it, the teacher sees the kernel on the
 * teacher page and stops it, and the student's page says so.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { appendFile, chmod, mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before } from "node:test";
import type { Browser } from "playwright-core";
import { launchBrowser, newTab, screenshot, selectCell, waitOutput, waitRunDone, type Tab } from "../lib/browser.js";
import { e2eTest } from "../lib/harness.js";
import { LONG, REPO, putNotebook, startServer, type E2EServer } from "../lib/server.js";

let dir: string;
let server: E2EServer;
let browser: Browser;
const tabs: Tab[] = [];
let passwords: Map<string, string>;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "tessera-e2e-workshop-"));
  // Run as root, the server starts each student's kernels under their own uid: they must pass through.
  await chmod(dir, 0o711);
  const file = join(dir, "users.yaml");
  // The way a teacher makes the file: names and passwords printed once, hashes kept.
  const csv = execFileSync(process.execPath, [join(REPO, "apps/kernel-server/dist/cli.js"), "users", "init", file, "--students", "2"], {
    encoding: "utf8",
  });
  passwords = new Map(
    csv
      .trim()
      .split("\n")
      .slice(1)
      .map((l) => l.split(",") as [string, string]),
  );
  // Where kernels cannot run under the students' own uids (not root, or this checkout is out of
  // other users' reach), run them as the server's user, as such a server would be told to.
  if (process.getuid?.() !== 0 || !(await reachableByAll(join(REPO, "packages/kernel/dist/main.js"))))
    await appendFile(file, "kernelUids: none\n");
  server = await startServer({ args: ["--users", file], env: { ...process.env, TESSERA_CONFIG_DIR: join(dir, "config") } });
  browser = await launchBrowser();
});

after(async () => {
  for (const t of tabs) await t.context.close().catch(() => {});
  await browser?.close();
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Every folder above `path` lets other users pass (o+x). */
async function reachableByAll(path: string): Promise<boolean> {
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    if (((await stat(dir)).mode & 0o001) === 0) return false;
    if (dir === dirname(dir)) return true;
  }
}

async function tab(): Promise<Tab> {
  const t = await newTab(browser);
  tabs.push(t);
  return t;
}

e2eTest("a teacher distributes a notebook, a student runs it, the teacher sees the kernel and stops it", async () => {
  // The token URL the server printed logs in as the teacher; the lesson lives in the teacher's home.
  await putNotebook(server, "lesson.ipynb", [
    "console.log('hello from the lesson')",
    "for (let i = 0; ; i++) {\n  if (i % 5 === 0) console.log('step', i);\n  await new Promise((r) => setTimeout(r, 200));\n}",
  ]);
  const teacher = await tab();
  await teacher.page.goto(server.loginUrl);
  await teacher.page.goto(server.url("admin"));
  await teacher.page.getByTestId("admin-users").waitFor();
  await teacher.page.getByRole("radio", { name: "lesson.ipynb" }).check();
  await teacher.page.getByRole("button", { name: "Copy to students" }).click();
  const result = teacher.page.getByTestId("distribute-result");
  await result.getByText("Copied lesson.ipynb to 2 users").waitFor();

  // The student logs in with a name and password on the server's login page.
  const student = await tab();
  await student.page.goto(server.url("login"));
  await student.page.getByLabel("User name").fill("student01");
  await student.page.getByLabel("Password").fill(passwords.get("student01")!);
  await student.page.getByRole("button", { name: "Log in" }).click();
  const bar = student.page.getByTestId("account-bar");
  await bar.waitFor();
  assert.match((await bar.textContent()) ?? "", /student01/);
  assert.match((await bar.textContent()) ?? "", /Memory per kernel: 4 GiB/);
  await student.page.getByRole("link", { name: "lesson.ipynb" }).first().waitFor();
  assert.equal(await student.page.getByRole("link", { name: "Teacher page" }).count(), 0, "a student has no teacher page link");
  await screenshot(student.page, "workshop-student-home.png");

  await student.page.getByRole("link", { name: "lesson.ipynb" }).first().click();
  await student.page.waitForSelector(".cells .cell");
  await selectCell(student.page, 0);
  await student.page.keyboard.press("Shift+Enter");
  await waitRunDone(student.page, 0, 1);
  await waitOutput(student.page, 0, "hello from the lesson");
  await student.page.keyboard.press("Control+Enter");
  await waitOutput(student.page, 1, "step 5");

  // The teacher sees the student's kernel, busy on lesson.ipynb, and stops it.
  const stop = teacher.page.getByRole("button", { name: "Stop kernel of student01: lesson.ipynb" });
  await stop.waitFor({ timeout: LONG });
  const row = teacher.page.locator('[data-testid^="admin-kernel-"]', { has: stop });
  await row.getByText("busy").waitFor();
  await screenshot(teacher.page, "workshop-teacher.png");
  await stop.click();

  // The student's page says what happened, and the teacher's list shows it stopped.
  await waitOutput(student.page, 1, "stopped by the teacher");
  await row.getByText("dead").waitFor();
  await screenshot(student.page, "workshop-student-stopped.png");

  // A student who opens the teacher page is told it is not for them.
  await student.page.goto(server.url("admin"));
  await student.page.getByTestId("admin-forbidden").waitFor();
  assert.deepEqual(student.errors, []);
  assert.deepEqual(teacher.errors, []);
});
