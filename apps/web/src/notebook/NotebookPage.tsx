/** The notebook page: header, menus, toolbar, banners and cells for one document. */
import { useEffect, useMemo, useRef, useSyncExternalStore } from "react";
import { joinSource } from "@tessera/protocol";
import { createUntitled, renamePath, shutdownKernel } from "../api/contents.js";
import { checkLogin } from "../api/rest.js";
import { basename, dirname, documentSocketUrl, notebookUrl, treeUrl } from "../api/urls.js";
import { DocClient, type SocketLike } from "../channel/doc-client.js";
import { promptDialog, confirmDialog } from "../components/dialogs.js";
import { ThemeToggle } from "../components/ThemeToggle.js";
import { toast } from "../components/toasts.js";
import { loadEditor, useEditorModule } from "../editor/loader.js";
import { KernelFigures, MetricsToggle } from "../metrics/HeaderBits.js";
import { repairSelection, selectOnly } from "../state/selection.js";
import { UiStore } from "../state/ui-store.js";
import { NotebookActions } from "./actions.js";
import { CellList } from "./CellList.js";
import { KeyHelp } from "./KeyHelp.js";
import { Banners, KernelStatus, SaveStatus } from "./StatusBits.js";
import { NotebookMenus, Toolbar, type FileCommands } from "./Toolbar.js";
import { useClientState } from "./use-client.js";

function useNotebook(path: string) {
  const client = useMemo(
    () =>
      new DocClient({
        path,
        url: documentSocketUrl,
        createSocket: (url) => new WebSocket(url) as unknown as SocketLike,
        onConnectFailed: () => void checkLogin(),
      }),
    [path],
  );
  const ui = useMemo(() => new UiStore(), []);
  const actions = useMemo(() => new NotebookActions(client, ui), [client, ui]);
  useEffect(() => {
    client.start();
    const offNotice = client.onNotice((m) => toast(m, "error"));
    // A cell deleted on another page while we type in it: the text is kept, and the keys go on into it.
    const offDelete = client.onRemoteDelete(({ cell, index }) => {
      const sel = ui.get().sel;
      const typingHere = sel.mode === "edit" && sel.activeId === cell.id;
      const focusInside = !!document.activeElement?.closest(`[data-cell-id="${CSS.escape(cell.id)}"]`);
      if (!typingHere && !focusInside) return;
      ui.addOrphan({ key: `${cell.id}-${Date.now()}`, index, cellType: cell.cell_type, text: joinSource(cell.source) });
    });
    const retry = () => client.retryNow();
    const onVisible = () => document.visibilityState === "visible" && retry();
    window.addEventListener("online", retry);
    document.addEventListener("visibilitychange", onVisible);
    // Ctrl+S anywhere on the page saves the notebook, never the HTML page.
    const onSave = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && e.key.toLowerCase() === "s") {
        // An editor or a cell that already saved marks the event handled.
        const handled = e.defaultPrevented;
        e.preventDefault();
        if (!handled) client.requestSave();
      }
    };
    window.addEventListener("keydown", onSave);
    return () => {
      offNotice();
      offDelete();
      window.removeEventListener("online", retry);
      document.removeEventListener("visibilitychange", onVisible);
      window.removeEventListener("keydown", onSave);
      client.stop();
    };
  }, [client, ui]);
  return { client, ui, actions };
}

export function NotebookPage({ path }: { path: string }) {
  const { client, ui, actions } = useNotebook(path);
  const state = useClientState(client);
  const uiState = useSyncExternalStore(ui.subscribe, ui.get);
  const editor = useEditorModule();
  const cells = state.doc?.notebook.cells;
  const prevOrder = useRef<string[]>([]);

  // Monaco is big: fetch it only after the cells are on screen, so they show at once.
  const hasDoc = state.doc !== null;
  useEffect(() => {
    if (!hasDoc) return;
    const t = setTimeout(() => {
      void loadEditor().catch((err: Error) => toast(`The code editor failed to load: ${err.message}`, "error"));
    }, 50);
    return () => clearTimeout(t);
  }, [hasDoc]);

  // The editor's models follow the document; completions go to this notebook's kernel.
  useEffect(() => {
    editor?.attach({
      text: client.text,
      complete: (id, code, pos) => client.complete(id, code, pos),
      inspect: (id, code, pos) => client.inspect(id, code, pos),
    });
  }, [editor, client]);
  useEffect(() => {
    if (editor && cells) editor.syncCells(cells);
  }, [editor, cells]);

  // An empty notebook (a new one) gets a cell to type in, once, ready for typing.
  const seeded = useRef(false);
  useEffect(() => {
    if (!cells || seeded.current) return;
    seeded.current = true;
    if (cells.length === 0) {
      actions.insert("below", "code");
      actions.enterEdit();
    }
  }, [cells, actions]);

  // Keep the selection on a cell that exists.
  useEffect(() => {
    if (!cells) return;
    // The client may already be ahead of this render (an edit made in an effect).
    const order = (client.getState().doc?.notebook.cells ?? cells).map((c) => c.id);
    const sel = ui.get().sel;
    if (sel.activeId === null && order.length > 0) ui.setSelection(selectOnly(order[0]));
    else ui.setSelection(repairSelection(prevOrder.current, order, sel));
    prevOrder.current = order;
  }, [cells, ui, client]);

  // The URL and title follow renames.
  const name = basename(state.path).replace(/\.ipynb$/, "");
  useEffect(() => {
    document.title = `${name} — Tessera`;
    const url = notebookUrl(state.path);
    if (location.pathname !== url) history.replaceState(null, "", url);
  }, [state.path, name]);

  const file: FileCommands = {
    newNotebook: () => {
      createUntitled(dirname(state.path), "notebook").then(
        (m) => window.open(notebookUrl(m.path), "_blank"),
        (e: Error) => toast(e.message, "error"),
      );
    },
    rename: async () => {
      const next = await promptDialog({ title: "Rename notebook", label: "Name", value: basename(state.path), confirmLabel: "Rename" });
      if (!next || next === basename(state.path)) return;
      const withExt = next.endsWith(".ipynb") ? next : `${next}.ipynb`;
      const dir = dirname(state.path);
      renamePath(state.path, dir ? `${dir}/${withExt}` : withExt).then(
        (m) => history.replaceState(null, "", notebookUrl(m.path)),
        (e: Error) => toast(e.message, "error"),
      );
    },
    shutdown: async () => {
      const id = state.kernel.id;
      if (!id) return;
      if (
        !(await confirmDialog({
          title: "Shut down the kernel?",
          message: "All variables will be lost.",
          confirmLabel: "Shut down",
          danger: true,
        }))
      )
        return;
      shutdownKernel(id).then(
        () => toast("Kernel shut down"),
        (e: Error) => toast(e.message, "error"),
      );
    },
    close: () => {
      location.href = treeUrl(dirname(state.path));
    },
  };

  const active = cells?.find((c) => c.id === uiState.sel.activeId);
  const kernelName = state.doc?.notebook.metadata.kernelspec?.display_name ?? "TypeScript";

  return (
    <div className="notebook-page">
      <header className="app-header">
        <a className="brand" href={treeUrl(dirname(state.path))} title="Back to files">
          Tessera
        </a>
        <button type="button" className="notebook-title" onClick={() => void file.rename()} title="Rename notebook">
          {name}
        </button>
        {state.doc && <SaveStatus state={state} />}
        <span className="header-spacer" />
        <KernelFigures kernelId={state.kernel.id} />
        <KernelStatus state={state} name={kernelName} />
        <MetricsToggle />
        <ThemeToggle />
      </header>
      <div className="command-bar">
        <NotebookMenus actions={actions} file={file} state={state} />
        <Toolbar actions={actions} activeType={active?.cell_type ?? null} />
      </div>
      <Banners state={state} client={client} />
      <main
        className="notebook-scroll"
        onMouseDown={(e) => {
          if (e.target === e.currentTarget) actions.enterCommand();
        }}
      >
        {state.doc ? (
          <CellList state={state} ui={uiState} actions={actions} />
        ) : (
          <div className="loading" role="status">
            {state.connection.status === "closed" ? "Not connected." : "Opening notebook…"}
          </div>
        )}
      </main>
      {uiState.showKeys && <KeyHelp onClose={() => actions.toggleKeys(false)} />}
    </div>
  );
}
