/**
 * Running kernels, with the notebook each belongs to and a shutdown button. In workshop mode
 * (`usage` given) each also shows its memory against the user's limit, and why the server
 * stopped it (memory limit, idle) when it did.
 */
import type { KernelModel, KernelUsage, SessionModel } from "@tessera/protocol";
import { MemoryBar } from "../admin/MemoryBar.js";
import { notebookUrl } from "../api/urls.js";
import { formatWhen } from "./FileList.js";

/** Kernels the server stopped that the Jupyter list no longer has: said once, above the list. */
function StoppedNotes({ stopped }: { stopped: KernelUsage[] }) {
  if (stopped.length === 0) return null;
  return (
    <ul className="kernel-stopped" role="status">
      {stopped.map((k) => (
        <li key={k.kernelId}>
          {k.notebook ?? k.kernelId.slice(0, 8)}: {k.reason}
        </li>
      ))}
    </ul>
  );
}

export function KernelList({
  kernels,
  sessions,
  onShutdown,
  usage,
  memoryLimit = null,
}: {
  kernels: KernelModel[];
  sessions: SessionModel[];
  onShutdown: (kernel: KernelModel) => void;
  /** The user's kernels from /api/tessera/me (workshop mode only). */
  usage?: KernelUsage[];
  /** Memory per kernel, in bytes; null: no limit. */
  memoryLimit?: number | null;
}) {
  const byId = new Map((usage ?? []).map((u) => [u.kernelId, u]));
  const stopped = (usage ?? []).filter((u) => u.reason && !kernels.some((k) => k.id === u.kernelId));
  if (kernels.length === 0)
    return (
      <>
        <StoppedNotes stopped={stopped} />
        <p className="empty">No kernels are running.</p>
      </>
    );
  return (
    <>
      <StoppedNotes stopped={stopped} />
      <table className="kernel-list">
        <thead>
          <tr>
            <th scope="col">Notebook</th>
            <th scope="col">State</th>
            {usage && <th scope="col">Memory</th>}
            <th scope="col">Last activity</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {kernels.map((k) => {
            const paths = sessions.filter((s) => s.kernel?.id === k.id).map((s) => s.notebook?.path ?? s.path);
            const use = byId.get(k.id);
            return (
              <tr key={k.id}>
                <td>
                  {paths.length ? (
                    paths.map((p) => (
                      <a key={p} href={notebookUrl(p)} className="kernel-notebook">
                        {p}
                      </a>
                    ))
                  ) : (
                    <span className="muted">
                      {k.name} · {k.id.slice(0, 8)}
                    </span>
                  )}
                </td>
                <td>
                  <span className={`kernel-status kernel-${k.execution_state}`}>
                    <span className="kernel-dot" aria-hidden="true" />
                    {k.execution_state}
                  </span>
                  {use?.reason && <div className="kernel-reason">{use.reason}</div>}
                </td>
                {usage && (
                  <td data-testid={`kernel-memory-${k.id}`}>
                    <MemoryBar used={use?.rssBytes ?? null} limit={memoryLimit} />
                  </td>
                )}
                <td>{formatWhen(k.last_activity)}</td>
                <td className="col-actions">
                  <button type="button" className="btn btn-small btn-danger" onClick={() => onShutdown(k)}>
                    Shut down
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}
