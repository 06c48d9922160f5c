/** Running kernels, with the notebook each belongs to and a shutdown button. */
import type { KernelModel, SessionModel } from "@tessera/protocol";
import { notebookUrl } from "../api/urls.js";
import { formatWhen } from "./FileList.js";

export function KernelList({
  kernels,
  sessions,
  onShutdown,
}: {
  kernels: KernelModel[];
  sessions: SessionModel[];
  onShutdown: (kernel: KernelModel) => void;
}) {
  if (kernels.length === 0) return <p className="empty">No kernels are running.</p>;
  return (
    <table className="kernel-list">
      <thead>
        <tr>
          <th scope="col">Notebook</th>
          <th scope="col">State</th>
          <th scope="col">Last activity</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {kernels.map((k) => {
          const paths = sessions.filter((s) => s.kernel?.id === k.id).map((s) => s.notebook?.path ?? s.path);
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
              </td>
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
  );
}
