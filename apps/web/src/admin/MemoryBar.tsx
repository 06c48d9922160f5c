/**
 * A kernel's resident memory against its user's per-kernel limit: "1.2 GiB / 4 GiB" and a
 * small bar that turns amber, then red, as it nears the limit (where the server stops it).
 * Shared by the teacher page and the home page's kernel list.
 */
import { formatMemoryAgainst, memoryLevel } from "./limits.js";

export function MemoryBar({ used, limit }: { used: number | null; limit: number | null }) {
  const text = formatMemoryAgainst(used, limit);
  if (used === null || limit === null || limit <= 0) return <span className="memory-use">{text}</span>;
  const share = Math.min(1, Math.max(0, used / limit));
  return (
    <span className={`memory-use memory-${memoryLevel(used, limit)}`} title={`${Math.round(share * 100)}% of the memory limit`}>
      <span className="memory-bar" aria-hidden="true">
        <span className="memory-fill" style={{ width: `${share * 100}%` }} />
      </span>
      {text}
    </span>
  );
}
