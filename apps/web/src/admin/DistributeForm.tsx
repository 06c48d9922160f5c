/**
 * Copies a notebook from the teacher's home into the students' homes, at the same path.
 * The notebooks in the teacher's root folder are offered to pick; any other file is one
 * typed path away. Students keep their own copy unless the teacher asks to overwrite it.
 */
import { useState, type FormEvent } from "react";
import type { ContentsModel, DistributeRequest, DistributeResult } from "@tessera/protocol";
import { listDir } from "../api/contents.js";
import { distribute } from "../api/users.js";
import { useAsync } from "../home/use-async.js";

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

function RootNotebooks({ path, onPick }: { path: string; onPick: (path: string) => void }) {
  const root = useAsync(() => listDir(""), "admin-root");
  if (root.error) return <p className="error">Your files cannot be listed: {root.error}</p>;
  if (!root.data) return <p className="muted">Loading your notebooks…</p>;
  const items = Array.isArray(root.data.content) ? (root.data.content as ContentsModel[]) : [];
  const notebooks = items.filter((i) => i.type === "notebook").sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
  if (notebooks.length === 0) return <p className="muted">Your home folder has no notebooks; type a path below.</p>;
  return (
    <fieldset className="distribute-notebooks">
      <legend>Your notebooks</legend>
      {notebooks.map((nb) => (
        <label key={nb.path} className="distribute-choice">
          <input type="radio" name="distribute-notebook" value={nb.path} checked={path === nb.path} onChange={() => onPick(nb.path)} />
          {nb.name}
        </label>
      ))}
    </fieldset>
  );
}

function ResultView({ path, result }: { path: string; result: DistributeResult }) {
  return (
    <>
      <p>
        {result.copied.length ? `Copied ${path} to ${plural(result.copied.length, "user", "users")}:` : `${path} was copied to nobody.`}
      </p>
      {result.copied.length > 0 && (
        <ul className="distribute-copied" aria-label="Copied to">
          {result.copied.map((u) => (
            <li key={u}>{u}</li>
          ))}
        </ul>
      )}
      {result.skipped.length > 0 && (
        <>
          <p>Skipped {plural(result.skipped.length, "user", "users")}:</p>
          <ul className="distribute-skipped" aria-label="Skipped">
            {result.skipped.map((s) => (
              <li key={s.user}>
                <strong>{s.user}</strong>: {s.reason}
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}

export function DistributeForm({ students }: { students: string[] }) {
  const [path, setPath] = useState("");
  const [allStudents, setAllStudents] = useState(true);
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());
  const [overwrite, setOverwrite] = useState(false);
  const [sending, setSending] = useState(false);
  const [done, setDone] = useState<{ path: string; result: DistributeResult } | null>(null);
  const [error, setError] = useState<string | null>(null);

  const target = path.trim().replace(/^\/+/, "");
  // Students who left the list since they were ticked are not sent.
  const chosen = students.filter((s) => picked.has(s));
  const canSend = !sending && target !== "" && (allStudents || chosen.length > 0);

  const toggle = (name: string, on: boolean) =>
    setPicked((prev) => {
      const next = new Set(prev);
      if (on) next.add(name);
      else next.delete(name);
      return next;
    });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!canSend) return;
    const request: DistributeRequest = { path: target, overwrite };
    if (!allStudents) request.users = chosen;
    setSending(true);
    setError(null);
    setDone(null);
    try {
      setDone({ path: target, result: await distribute(request) });
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setSending(false);
    }
  };

  return (
    <form className="distribute-form" onSubmit={(e) => void submit(e)}>
      <RootNotebooks path={target} onPick={setPath} />
      <label className="distribute-field">
        <span>Notebook to copy (path in your home folder)</span>
        <input
          type="text"
          value={path}
          onChange={(e) => setPath(e.target.value)}
          placeholder="lesson-1.ipynb"
          spellCheck={false}
          autoComplete="off"
        />
      </label>
      <fieldset className="distribute-users">
        <legend>Copy to</legend>
        <label className="distribute-choice">
          <input type="checkbox" checked={allStudents} onChange={(e) => setAllStudents(e.target.checked)} />
          All students
        </label>
        {!allStudents &&
          (students.length === 0 ? (
            <p className="muted">There are no students.</p>
          ) : (
            <div className="distribute-students" role="group" aria-label="Students">
              {students.map((s) => (
                <label key={s} className="distribute-choice">
                  <input type="checkbox" checked={picked.has(s)} onChange={(e) => toggle(s, e.target.checked)} />
                  {s}
                </label>
              ))}
            </div>
          ))}
      </fieldset>
      <label className="distribute-choice">
        <input type="checkbox" checked={overwrite} onChange={(e) => setOverwrite(e.target.checked)} />
        Overwrite students&apos; copies
      </label>
      {overwrite && <p className="distribute-warning">A student&apos;s own changes to that file will be lost.</p>}
      <div className="distribute-actions">
        {/* The name stays "Copy to students" while it works, for screen readers and tests. */}
        <button type="submit" className="btn btn-primary" disabled={!canSend} aria-busy={sending}>
          Copy to students
        </button>
        {sending && <span className="muted">Copying…</span>}
      </div>
      <div className="distribute-result" data-testid="distribute-result" role="status">
        {error ? <p className="error">{error}</p> : done ? <ResultView path={done.path} result={done.result} /> : null}
      </div>
    </form>
  );
}
