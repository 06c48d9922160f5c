/** The notebook's menu bar and toolbar; both only call {@link NotebookActions}. */
import type { DocClientState } from "../channel/doc-client.js";
import { Icon, type IconName } from "../components/icons.js";
import { MenuBar, type Menu } from "../components/MenuBar.js";
import { toggleMetricsPanel } from "../metrics/panel-state.js";
import { toggleTheme } from "../theme/theme.js";
import type { NotebookActions } from "./actions.js";

export interface FileCommands {
  newNotebook(): void;
  rename(): void;
  shutdown(): void;
  close(): void;
}

export function NotebookMenus({ actions, file, state }: { actions: NotebookActions; file: FileCommands; state: DocClientState }) {
  const a = actions;
  const hasKernel = state.kernel.id !== null;
  const menus: Menu[] = [
    {
      label: "File",
      items: [
        { label: "New notebook", onSelect: file.newNotebook },
        { label: "Rename…", onSelect: file.rename },
        "separator",
        { label: "Save", shortcut: "Ctrl+S", onSelect: () => a.save() },
        { label: "Revert to checkpoint…", onSelect: () => void a.revertToCheckpoint() },
        { label: "Reload from disk", onSelect: () => a.client.revert("disk") },
        "separator",
        { label: "Close and go to files", onSelect: file.close },
      ],
    },
    {
      label: "Edit",
      items: [
        { label: "Cut cells", shortcut: "X", onSelect: () => a.cut() },
        { label: "Copy cells", shortcut: "C", onSelect: () => a.copy() },
        { label: "Paste cells below", shortcut: "V", onSelect: () => a.paste("below") },
        { label: "Paste cells above", shortcut: "Shift+V", onSelect: () => a.paste("above") },
        { label: "Delete cells", shortcut: "D D", onSelect: () => a.deleteSelected() },
        { label: "Undo cell deletion", shortcut: "Z", onSelect: () => a.undoDelete() },
        "separator",
        { label: "Insert cell above", shortcut: "A", onSelect: () => a.insert("above") },
        { label: "Insert cell below", shortcut: "B", onSelect: () => a.insert("below") },
        { label: "Move cells up", shortcut: "Ctrl+Shift+Up", onSelect: () => a.move(-1) },
        { label: "Move cells down", shortcut: "Ctrl+Shift+Down", onSelect: () => a.move(1) },
        "separator",
        { label: "Make code", shortcut: "Y", onSelect: () => a.setType("code") },
        { label: "Make markdown", shortcut: "M", onSelect: () => a.setType("markdown") },
        { label: "Make raw", shortcut: "R", onSelect: () => a.setType("raw") },
        "separator",
        { label: "Select all cells", shortcut: "Ctrl+A", onSelect: () => a.selectAll() },
        { label: "Clear outputs of selected", onSelect: () => a.clearOutputs(false) },
        { label: "Clear all outputs", onSelect: () => a.clearOutputs(true) },
      ],
    },
    {
      label: "Run",
      items: [
        { label: "Run selected, select below", shortcut: "Shift+Enter", onSelect: () => a.run("advance") },
        { label: "Run selected", shortcut: "Ctrl+Enter", onSelect: () => a.run("stay") },
        { label: "Run selected, insert below", shortcut: "Alt+Enter", onSelect: () => a.run("insert") },
        "separator",
        { label: "Run all", onSelect: () => a.runAll() },
        { label: "Run all above", onSelect: () => a.runAbove() },
        { label: "Run selected and all below", onSelect: () => a.runBelow() },
      ],
    },
    {
      label: "Kernel",
      items: [
        { label: "Interrupt", shortcut: "I I", onSelect: () => a.interrupt() },
        { label: "Restart…", shortcut: "0 0", onSelect: () => void a.restart(false) },
        { label: "Restart and run all…", onSelect: () => void a.restart(true) },
        { label: "Start kernel", disabled: hasKernel && state.kernel.status !== "dead", onSelect: () => a.client.startKernel() },
        { label: "Shut down kernel", disabled: !hasKernel, onSelect: file.shutdown },
      ],
    },
    {
      label: "View",
      items: [
        { label: "Toggle light/dark theme", onSelect: toggleTheme },
        { label: "Resource monitor (GPU, CPU, memory)", onSelect: toggleMetricsPanel },
        { label: "Keyboard shortcuts", shortcut: "H", onSelect: () => a.toggleKeys(true) },
      ],
    },
  ];
  return <MenuBar menus={menus} label="Notebook menu" />;
}

function ToolButton({ icon, label, onClick, disabled }: { icon: IconName; label: string; onClick: () => void; disabled?: boolean }) {
  return (
    <button type="button" className="icon-btn tool-btn" title={label} aria-label={label} onClick={onClick} disabled={disabled}>
      <Icon name={icon} />
    </button>
  );
}

export function Toolbar({ actions, activeType }: { actions: NotebookActions; activeType: string | null }) {
  const a = actions;
  return (
    <div className="toolbar" role="toolbar" aria-label="Notebook actions">
      <ToolButton icon="save" label="Save (Ctrl+S)" onClick={() => a.save()} />
      <span className="tool-sep" />
      <ToolButton icon="plus" label="Insert cell below (B)" onClick={() => a.insert("below")} />
      <ToolButton icon="cut" label="Cut cells (X)" onClick={() => a.cut()} />
      <ToolButton icon="copy" label="Copy cells (C)" onClick={() => a.copy()} />
      <ToolButton icon="paste" label="Paste cells below (V)" onClick={() => a.paste("below")} />
      <ToolButton icon="up" label="Move cells up" onClick={() => a.move(-1)} />
      <ToolButton icon="down" label="Move cells down" onClick={() => a.move(1)} />
      <span className="tool-sep" />
      <ToolButton icon="play" label="Run selected, select below (Shift+Enter)" onClick={() => a.run("advance")} />
      <ToolButton icon="stop" label="Interrupt the kernel (I I)" onClick={() => a.interrupt()} />
      <ToolButton icon="restart" label="Restart the kernel (0 0)" onClick={() => void a.restart(false)} />
      <ToolButton icon="runAll" label="Restart the kernel and run all cells" onClick={() => void a.restart(true)} />
      <ToolButton icon="clear" label="Clear all outputs" onClick={() => a.clearOutputs(true)} />
      <span className="tool-sep" />
      <label className="cell-type-select">
        <span className="visually-hidden">Cell type</span>
        <select
          value={activeType ?? "code"}
          onChange={(e) => a.setType(e.target.value as "code" | "markdown" | "raw")}
          onKeyDown={(e) => e.stopPropagation()}
        >
          <option value="code">Code</option>
          <option value="markdown">Markdown</option>
          <option value="raw">Raw</option>
        </select>
      </label>
      <span className="tool-spacer" />
      <ToolButton icon="keyboard" label="Keyboard shortcuts (H)" onClick={() => a.toggleKeys(true)} />
    </div>
  );
}
