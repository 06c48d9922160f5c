/** Home: the server root (or a folder) as a file browser, and the running kernels. */
import { useCallback, useEffect } from "react";
import type { ContentsModel, KernelModel, SessionModel } from "@tessera/protocol";
import { createUntitled, deletePath, listDir, listKernels, listSessions, renamePath, shutdownKernel } from "../api/contents.js";
import { dirname, notebookUrl, treeUrl } from "../api/urls.js";
import { getMe } from "../api/users.js";
import { confirmDialog, promptDialog } from "../components/dialogs.js";
import { Icon } from "../components/icons.js";
import { ThemeToggle } from "../components/ThemeToggle.js";
import { MetricsToggle } from "../metrics/HeaderBits.js";
import { toast } from "../components/toasts.js";
import { AccountBar } from "./AccountBar.js";
import { FileList } from "./FileList.js";
import { KernelList } from "./KernelList.js";
import { useAsync } from "./use-async.js";

function Breadcrumbs({ dir }: { dir: string }) {
  const parts = dir.split("/").filter(Boolean);
  return (
    <nav className="breadcrumbs" aria-label="Folder">
      <a href={treeUrl("")}>Files</a>
      {parts.map((p, i) => {
        const path = parts.slice(0, i + 1).join("/");
        return (
          <span key={path}>
            <span className="crumb-sep">/</span>
            {i === parts.length - 1 ? <span aria-current="page">{p}</span> : <a href={treeUrl(path)}>{p}</a>}
          </span>
        );
      })}
    </nav>
  );
}

export function HomePage({ dir }: { dir: string }) {
  const listing = useAsync(() => listDir(dir), dir);
  const running = useAsync(() => Promise.all([listKernels(), listSessions()]), "kernels");
  // Who is logged in and their limits (workshop mode); its kernels' use refreshes with the list.
  const me = useAsync(getMe, "me");
  const reloadKernels = useCallback(() => {
    running.reload();
    me.reload();
  }, [running.reload, me.reload]);

  useEffect(() => {
    document.title = dir ? `${dir} — Tessera` : "Tessera";
  }, [dir]);
  useEffect(() => {
    // Kernels come and go from other tabs: refresh now and then, and on return to the tab.
    const t = setInterval(() => document.visibilityState === "visible" && reloadKernels(), 10_000);
    const onFocus = () => {
      reloadKernels();
      listing.reload();
    };
    window.addEventListener("focus", onFocus);
    return () => {
      clearInterval(t);
      window.removeEventListener("focus", onFocus);
    };
  }, [reloadKernels, listing.reload]);

  const items = Array.isArray(listing.data?.content) ? (listing.data.content as ContentsModel[]) : [];
  const [kernels, sessions] = (running.data ?? [[], []]) as [KernelModel[], SessionModel[]];
  // A single-user server answers too (multiUser false): then the page looks as it always did.
  const account = me.data?.multiUser ? me.data : null;
  const runningPaths = new Set(sessions.filter((s) => s.kernel).map((s) => s.notebook?.path ?? s.path));

  const fail = (e: Error) => toast(e.message, "error");

  const newNotebook = () => createUntitled(dir, "notebook").then((m) => (location.href = notebookUrl(m.path)), fail);
  const newFolder = async () => {
    try {
      const made = await createUntitled(dir, "directory");
      listing.reload();
      const name = await promptDialog({ title: "Name the new folder", label: "Name", value: made.name, confirmLabel: "Rename" });
      if (name && name !== made.name) {
        await renamePath(made.path, dir ? `${dir}/${name}` : name);
        listing.reload();
      }
    } catch (e) {
      fail(e as Error);
    }
  };
  const rename = async (item: ContentsModel) => {
    const name = await promptDialog({
      title: `Rename ${item.type === "directory" ? "folder" : "file"}`,
      label: "New name",
      value: item.name,
      confirmLabel: "Rename",
    });
    if (!name || name === item.name) return;
    const parent = dirname(item.path);
    renamePath(item.path, parent ? `${parent}/${name}` : name).then(listing.reload, fail);
  };
  const remove = async (item: ContentsModel) => {
    const ok = await confirmDialog({
      title: `Delete ${item.name}?`,
      message: item.type === "directory" ? "The folder must be empty." : "This cannot be undone.",
      confirmLabel: "Delete",
      danger: true,
    });
    if (ok) deletePath(item.path).then(listing.reload, fail);
  };
  const shutdown = async (k: KernelModel) => {
    const ok = await confirmDialog({
      title: "Shut down this kernel?",
      message: "Its variables will be lost.",
      confirmLabel: "Shut down",
      danger: true,
    });
    if (ok) shutdownKernel(k.id).then(reloadKernels, fail);
  };

  return (
    <div className="home-page">
      <header className={account ? "app-header app-header-account" : "app-header"}>
        <a className="brand" href={treeUrl("")}>
          Tessera
        </a>
        <span className="header-spacer" />
        {account && <AccountBar me={account} />}
        <MetricsToggle />
        <ThemeToggle />
      </header>
      <main className="home-main">
        <section aria-labelledby="files-title" className="panel">
          <div className="panel-head">
            <h1 id="files-title" className="visually-hidden">
              Files
            </h1>
            <Breadcrumbs dir={dir} />
            <span className="header-spacer" />
            <button type="button" className="btn btn-primary" onClick={() => void newNotebook()}>
              <Icon name="notebook" /> New notebook
            </button>
            <button type="button" className="btn" onClick={() => void newFolder()}>
              <Icon name="folder" /> New folder
            </button>
            <button type="button" className="icon-btn" onClick={listing.reload} title="Refresh" aria-label="Refresh">
              <Icon name="refresh" />
            </button>
          </div>
          {dir && (
            <a className="up-link" href={treeUrl(dirname(dir))}>
              ← Up one folder
            </a>
          )}
          {listing.error ? (
            <p className="error" role="alert">
              {listing.error}
            </p>
          ) : listing.data ? (
            <FileList items={items} running={runningPaths} onRename={(i) => void rename(i)} onDelete={(i) => void remove(i)} />
          ) : (
            <p className="muted">Loading…</p>
          )}
        </section>
        <section aria-labelledby="kernels-title" className="panel">
          <div className="panel-head">
            <h2 id="kernels-title">Running kernels</h2>
            <span className="header-spacer" />
            <button type="button" className="icon-btn" onClick={reloadKernels} title="Refresh" aria-label="Refresh kernels">
              <Icon name="refresh" />
            </button>
          </div>
          {running.error ? (
            <p className="error">{running.error}</p>
          ) : (
            <KernelList
              kernels={kernels}
              sessions={sessions}
              onShutdown={(k) => void shutdown(k)}
              usage={account?.kernels}
              memoryLimit={account?.limits.memoryBytes ?? null}
            />
          )}
        </section>
      </main>
    </div>
  );
}
