/**
 * Workshop mode's "who am I" in the home page's header: name and role, the limits in plain
 * words (so a student knows why a third kernel will not start), the teacher page for
 * teachers, and logging out. Not shown on a single-user server.
 */
import type { MeModel } from "@tessera/protocol";
import { limitWords, liveKernelCount } from "../admin/limits.js";
import { adminUrl, logoutUrl } from "../api/urls.js";

export function AccountBar({ me }: { me: MeModel }) {
  const limits = limitWords(me.limits, liveKernelCount(me.kernels));
  return (
    <div className="account-bar" data-testid="account-bar">
      <span className="account-who">
        <span className="account-name">{me.name}</span>
        <span className={`tag tag-role tag-${me.role}`}>{me.role}</span>
      </span>
      {limits.length > 0 && (
        <ul className="account-limits" aria-label="Your limits">
          {limits.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      )}
      {me.role === "teacher" && (
        <a className="account-link" href={adminUrl()}>
          Teacher page
        </a>
      )}
      <a className="account-link" href={logoutUrl()}>
        Log out
      </a>
    </div>
  );
}
