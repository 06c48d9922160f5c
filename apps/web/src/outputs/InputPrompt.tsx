/** The kernel asked for input (`input()` / `prompt`): an inline field under the cell. */
import { useState } from "react";

export function InputPrompt({ prompt, password, onSubmit }: { prompt: string; password: boolean; onSubmit: (value: string) => void }) {
  const [value, setValue] = useState("");
  return (
    <form
      className="input-prompt"
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit(value);
      }}
      onKeyDown={(e) => e.stopPropagation()}
    >
      <label>
        <span className="input-prompt-label">{prompt || "Input:"}</span>
        <input
          type={password ? "password" : "text"}
          value={value}
          autoFocus
          autoComplete="off"
          spellCheck={false}
          onChange={(e) => setValue(e.target.value)}
        />
      </label>
      <button type="submit" className="btn btn-small">
        Send
      </button>
    </form>
  );
}
