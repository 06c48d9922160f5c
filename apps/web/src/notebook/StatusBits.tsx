/** Header status: kernel state, save state, and the connection/disk banners. */
import { useEffect, useState } from "react";
import type { DocClient, DocClientState } from "../channel/doc-client.js";
import { treeUrl, dirname } from "../api/urls.js";

const KERNEL_LABEL: Record<string, string> = {
  idle: "Idle",
  busy: "Busy",
  starting: "Starting",
  restarting: "Restarting",
  dead: "Dead",
  none: "No kernel",
};

export function KernelStatus({ state, name }: { state: DocClientState; name: string }) {
  const offline = state.connection.status !== "open";
  const status = offline ? "unknown" : state.kernel.status;
  const label = offline ? "Disconnected" : (KERNEL_LABEL[status] ?? status);
  return (
    <div className={`kernel-status kernel-${status}`} role="status" title={state.kernel.reason ?? `Kernel: ${label}`}>
      <span className="kernel-dot" aria-hidden="true" />
      <span className="kernel-name">{name}</span>
      <span className="kernel-label">{label}</span>
    </div>
  );
}

function timeOf(iso: string | null): string {
  if (!iso) return "";
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return Number.isNaN(d.getTime()) ? "" : `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function SaveStatus({ state }: { state: DocClientState }) {
  const { save, unsentEdits } = state;
  let text: string;
  let kind: string;
  if (save.error) {
    // The server words it whole ("Save failed: …. Trying again in 4 s.").
    text = save.error;
    kind = "error";
  } else if (unsentEdits > 0) {
    text = state.connection.status === "open" ? "Saving…" : "Unsaved changes (offline)";
    kind = "dirty";
  } else if (save.dirty) {
    text = "Unsaved changes";
    kind = "dirty";
  } else {
    text = save.lastSaved ? `Saved ${timeOf(save.lastSaved)}` : "Saved";
    kind = "saved";
  }
  return (
    <span
      className={`save-status save-${kind}`}
      role="status"
      title={save.lastSaved ? `Last saved ${new Date(save.lastSaved).toLocaleString()}` : undefined}
    >
      {text}
    </span>
  );
}

function Countdown({ at }: { at: number }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(t);
  }, []);
  return <>{Math.max(0, Math.ceil((at - now) / 1000))} s</>;
}

export function Banners({ state, client }: { state: DocClientState; client: DocClient }) {
  const { connection, save } = state;
  return (
    <>
      {state.deleted && (
        <div className="banner banner-error" role="alert">
          This notebook was deleted on the server. <a href={treeUrl(dirname(state.path))}>Back to files</a>
        </div>
      )}
      {connection.status === "closed" && connection.reason && (
        <div className="banner banner-error" role="alert">
          Cannot open this notebook: {connection.reason}. <a href={treeUrl(dirname(state.path))}>Back to files</a>
        </div>
      )}
      {connection.status === "reconnecting" && (
        <div className="banner banner-warn" role="alert">
          Connection to the server lost. Your edits are kept and will be sent when it is back.{" "}
          {connection.retryAt !== null && (
            <>
              Retrying in <Countdown at={connection.retryAt} />.{" "}
            </>
          )}
          <button type="button" className="btn btn-small" onClick={() => client.retryNow()}>
            Retry now
          </button>
        </div>
      )}
      {save.diskChanged && connection.status === "open" && (
        <div className="banner banner-warn" role="alert">
          The file changed on disk since it was opened here.{" "}
          <button type="button" className="btn btn-small" onClick={() => client.revert("disk")}>
            Reload from disk
          </button>{" "}
          <button type="button" className="btn btn-small" onClick={() => client.requestSave(true)}>
            Keep this version (overwrite)
          </button>
        </div>
      )}
    </>
  );
}
