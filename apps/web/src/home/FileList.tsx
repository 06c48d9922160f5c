/** The folder listing: folders first, then notebooks and other files, with actions. */
import type { ContentsModel } from "@tessera/protocol";
import { fileUrl, notebookUrl, treeUrl } from "../api/urls.js";
import { Icon } from "../components/icons.js";

function formatSize(size: number | null): string {
  if (size === null || size === undefined) return "";
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(1)} KiB`;
  return `${(size / 1024 / 1024).toFixed(1)} MiB`;
}

export function formatWhen(iso: string): string {
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return "";
  const s = (Date.now() - t) / 1000;
  if (s < 60) return "just now";
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return new Date(iso).toLocaleDateString();
}

const ORDER = { directory: 0, notebook: 1, file: 2 } as const;

export function sortEntries(items: ContentsModel[]): ContentsModel[] {
  return items.slice().sort((a, b) => ORDER[a.type] - ORDER[b.type] || a.name.localeCompare(b.name, undefined, { numeric: true }));
}

export function FileList({
  items,
  running,
  onRename,
  onDelete,
}: {
  items: ContentsModel[];
  running: ReadonlySet<string>;
  onRename: (item: ContentsModel) => void;
  onDelete: (item: ContentsModel) => void;
}) {
  if (items.length === 0) return <p className="empty">This folder is empty. Create a notebook to start.</p>;
  return (
    <table className="file-list">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col" className="col-when">
            Modified
          </th>
          <th scope="col" className="col-size">
            Size
          </th>
          <th scope="col" className="col-actions">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {sortEntries(items).map((item) => {
          const icon = item.type === "directory" ? "folder" : item.type === "notebook" ? "notebook" : "file";
          const href =
            item.type === "directory" ? treeUrl(item.path) : item.type === "notebook" ? notebookUrl(item.path) : fileUrl(item.path);
          const external = item.type === "file";
          return (
            <tr key={item.path} className={`file-row file-${item.type}`}>
              <td>
                <div className="col-name">
                  <Icon name={icon} />
                  <a href={href} {...(external ? { target: "_blank", rel: "noopener noreferrer" } : {})}>
                    {item.name}
                  </a>
                  {running.has(item.path) && <span className="tag tag-running">Running</span>}
                </div>
              </td>
              <td className="col-when" title={new Date(item.last_modified).toLocaleString()}>
                {formatWhen(item.last_modified)}
              </td>
              <td className="col-size">{item.type === "directory" ? "" : formatSize(item.size)}</td>
              <td className="col-actions">
                <button type="button" className="btn btn-small btn-ghost" onClick={() => onRename(item)} aria-label={`Rename ${item.name}`}>
                  Rename
                </button>
                <button
                  type="button"
                  className="btn btn-small btn-ghost btn-danger-text"
                  onClick={() => onDelete(item)}
                  aria-label={`Delete ${item.name}`}
                >
                  Delete
                </button>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
