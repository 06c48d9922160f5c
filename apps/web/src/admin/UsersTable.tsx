/**
 * Every user, and under each their kernels with what they use now. One table, a <tbody> per
 * user, so the columns line up across users and a screen reader hears whose kernel a row is.
 */
import type { AdminUserRow, KernelUsage } from "@tessera/protocol";
import { formatWhen } from "../home/FileList.js";
import { formatBytes, formatPercent } from "../metrics/format.js";
import { formatGpus, limitWords, liveKernelCount, stopLabel } from "./limits.js";
import { MemoryBar } from "./MemoryBar.js";

const COLUMNS = 8;

function KernelRow({
  user,
  kernel: k,
  stopping,
  onStop,
}: {
  user: AdminUserRow;
  kernel: KernelUsage;
  stopping: boolean;
  onStop: () => void;
}) {
  const dead = k.executionState === "dead";
  return (
    <tr className="admin-kernel-row" data-testid={`admin-kernel-${k.kernelId}`}>
      <td className="admin-notebook">{k.notebook ?? <span className="muted">No notebook · {k.kernelId.slice(0, 8)}</span>}</td>
      <td>
        <span className={`kernel-status kernel-${k.executionState}`}>
          <span className="kernel-dot" aria-hidden="true" />
          {k.executionState}
        </span>
        {k.reason && <div className="admin-reason">{k.reason}</div>}
      </td>
      <td>
        <MemoryBar used={k.rssBytes} limit={user.limits.memoryBytes} />
      </td>
      <td className="admin-num">{formatPercent(k.cpuPercent)}</td>
      <td className="admin-num">{k.gpuMemoryBytes === null ? "—" : formatBytes(k.gpuMemoryBytes)}</td>
      <td>{formatGpus(user.limits.gpus)}</td>
      <td className="admin-when" title={new Date(k.lastActivity).toLocaleString()}>
        {formatWhen(k.lastActivity)}
      </td>
      <td className="col-actions">
        {/* A stopped kernel stays listed (dead, with its reason) until its user shuts it down. */}
        <button
          type="button"
          className="btn btn-small btn-danger"
          onClick={onStop}
          disabled={stopping || dead}
          aria-label={stopLabel(user.name, k)}
          title={dead ? "Already stopped" : undefined}
        >
          {stopping ? "Stopping…" : dead ? "Stopped" : "Stop"}
        </button>
      </td>
    </tr>
  );
}

export function UsersTable({
  users,
  stopping,
  onStop,
}: {
  users: AdminUserRow[];
  /** Kernel ids whose DELETE has not answered yet. */
  stopping: ReadonlySet<string>;
  onStop: (user: AdminUserRow, kernel: KernelUsage) => void;
}) {
  if (users.length === 0) return <p className="empty">No users.</p>;
  return (
    <table className="admin-users" data-testid="admin-users" aria-label="Users and their kernels">
      <thead>
        <tr>
          <th scope="col">User · notebook</th>
          <th scope="col">State</th>
          <th scope="col">Memory</th>
          <th scope="col" title="100% is one core">
            CPU
          </th>
          <th scope="col">GPU memory</th>
          <th scope="col">GPUs</th>
          <th scope="col">Last activity</th>
          <th scope="col" className="col-actions">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      {users.map((u) => {
        const max = u.limits.maxKernels;
        // The kernel count has its own place; GPUs are in every kernel row.
        const others = limitWords({ ...u.limits, maxKernels: null, gpus: null }, 0);
        return (
          <tbody key={u.name} className="admin-user">
            <tr className="admin-user-row" data-testid={`admin-user-${u.name}`}>
              <th scope="rowgroup" colSpan={2}>
                <span className="admin-user-name">{u.name}</span>
                <span className={`tag tag-role tag-${u.role}`}>{u.role}</span>
              </th>
              <td colSpan={COLUMNS - 2}>
                <span className="admin-user-kernels">
                  Kernels: {liveKernelCount(u.kernels)}
                  {max === null ? "" : ` / ${max}`}
                </span>
                {others.length > 0 && <span className="admin-user-limits">{others.join(" · ")}</span>}
              </td>
            </tr>
            {u.kernels.length === 0 ? (
              <tr className="admin-kernel-row admin-no-kernels">
                <td colSpan={COLUMNS} className="muted">
                  No kernels
                </td>
              </tr>
            ) : (
              u.kernels.map((k) => (
                <KernelRow key={k.kernelId} user={u} kernel={k} stopping={stopping.has(k.kernelId)} onStop={() => onStop(u, k)} />
              ))
            )}
          </tbody>
        );
      })}
    </table>
  );
}
