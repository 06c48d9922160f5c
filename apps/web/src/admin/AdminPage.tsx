/**
 * The teacher page (`/admin`, workshop mode): every user's kernels, refreshed every 2 s while
 * the tab is visible, with a Stop button each; and copying a notebook to the students.
 * Students get a 403 from the API and see a plain sentence instead.
 */
import { useEffect, useState } from "react";
import type { AdminUserRow, KernelUsage } from "@tessera/protocol";
import { ApiError, checkLogin } from "../api/rest.js";
import { logoutUrl, treeUrl } from "../api/urls.js";
import { getMe, listUsers, stopUserKernel } from "../api/users.js";
import { Icon } from "../components/icons.js";
import { ThemeToggle } from "../components/ThemeToggle.js";
import { toast } from "../components/toasts.js";
import { useAsync } from "../home/use-async.js";
import { MetricsToggle } from "../metrics/HeaderBits.js";
import { DistributeForm } from "./DistributeForm.js";
import { usePoll } from "./use-poll.js";
import { UsersTable } from "./UsersTable.js";

const REFRESH_MS = 2000;

function Forbidden({ name }: { name: string | null }) {
  return (
    <section className="panel admin-forbidden" data-testid="admin-forbidden" aria-labelledby="forbidden-title">
      <h1 id="forbidden-title">Only a teacher can see this page</h1>
      <p>
        {name ? `You are logged in as ${name}, a student. ` : ""}
        <a href={treeUrl("")}>Go to your files</a>.
      </p>
    </section>
  );
}

export function AdminPage() {
  const users = usePoll(listUsers, REFRESH_MS);
  const me = useAsync(getMe, "me");
  const [stopping, setStopping] = useState<ReadonlySet<string>>(new Set());

  useEffect(() => {
    document.title = "Teacher page — Tessera";
  }, []);

  // A 403 is a student here, or a login that is gone: checkLogin sends the latter to log in.
  const forbidden = users.error instanceof ApiError && users.error.status === 403;
  useEffect(() => {
    if (forbidden) void checkLogin();
  }, [forbidden]);

  const setStoppingId = (id: string, on: boolean) =>
    setStopping((prev) => {
      const next = new Set(prev);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  const stop = (user: AdminUserRow, k: KernelUsage) => {
    setStoppingId(k.kernelId, true);
    stopUserKernel(k.kernelId)
      .then(users.reload, (e: Error) => toast(`${user.name}'s kernel (${k.notebook ?? k.kernelId}) was not stopped: ${e.message}`, "error"))
      .finally(() => setStoppingId(k.kernelId, false));
  };

  const rows = users.data?.users ?? [];
  const students = rows.filter((u) => u.role === "student").map((u) => u.name);

  return (
    <div className="home-page admin-page">
      <header className="app-header">
        <a className="brand" href={treeUrl("")}>
          Tessera
        </a>
        <span className="admin-title">Teacher page</span>
        <span className="header-spacer" />
        {me.data && <span className="admin-me">{me.data.name}</span>}
        <a className="btn btn-ghost" href={treeUrl("")}>
          <Icon name="folder" /> Files
        </a>
        {me.data?.multiUser && (
          <a className="btn btn-ghost" href={logoutUrl()}>
            Log out
          </a>
        )}
        <MetricsToggle />
        <ThemeToggle />
      </header>
      <main className="home-main admin-main">
        {forbidden ? (
          <Forbidden name={me.data?.name ?? null} />
        ) : (
          <>
            <section aria-labelledby="users-title" className="panel">
              <div className="panel-head">
                <h1 id="users-title">Users and kernels</h1>
                <span className="header-spacer" />
                {users.error && users.data && (
                  <span className="error admin-stale" role="alert">
                    Not updated: {users.error.message}
                  </span>
                )}
                <button type="button" className="icon-btn" onClick={users.reload} title="Refresh" aria-label="Refresh users">
                  <Icon name="refresh" />
                </button>
              </div>
              {users.data ? (
                <UsersTable users={rows} stopping={stopping} onStop={stop} />
              ) : users.error ? (
                <p className="error admin-message" role="alert">
                  {users.error.message}
                </p>
              ) : (
                <p className="muted admin-message">Loading…</p>
              )}
            </section>
            <section aria-labelledby="distribute-title" className="panel">
              <div className="panel-head">
                <h2 id="distribute-title">Copy a notebook to students</h2>
              </div>
              <DistributeForm students={students} />
            </section>
          </>
        )}
      </main>
    </div>
  );
}
