/**
 * A code cell's outputs. Each output is memoized on its identity (copy-on-write state);
 * only the last 50 are rendered until "Show N more outputs" (output-window.ts).
 */
import { memo, useState } from "react";
import { joinSource, type Output } from "@tessera/protocol";
import { AnsiText } from "./Ansi.js";
import { MimeOutput } from "./MimeOutput.js";
import { outputWindow } from "./output-window.js";
import { StreamOutput } from "./StreamOutput.js";

const OutputView = memo(function OutputView({ output }: { output: Output }) {
  switch (output.output_type) {
    case "stream":
      return <StreamOutput name={output.name} text={joinSource(output.text)} />;
    case "display_data":
    case "execute_result":
      return <MimeOutput data={output.data} metadata={output.metadata} />;
    case "error":
      return (
        <pre className="output-error" role="alert">
          <AnsiText text={output.traceback?.length ? output.traceback.join("\n") : `${output.ename}: ${output.evalue}`} />
        </pre>
      );
    default:
      return <div className="output-note">Unknown output type.</div>;
  }
});

export const OutputArea = memo(function OutputArea({ outputs }: { outputs: readonly Output[] }) {
  const [collapsed, setCollapsed] = useState(false);
  const [showAll, setShowAll] = useState(false);
  if (outputs.length === 0) return null;
  const view = outputWindow(outputs, showAll);
  return (
    <div className={`outputs${collapsed ? " collapsed" : ""}`}>
      <button
        type="button"
        className="outputs-gutter"
        aria-label={collapsed ? "Expand outputs" : "Collapse outputs"}
        title={collapsed ? "Expand outputs" : "Collapse outputs"}
        aria-expanded={!collapsed}
        onClick={() => setCollapsed(!collapsed)}
      />
      {collapsed ? (
        <button type="button" className="link-btn outputs-collapsed" onClick={() => setCollapsed(false)}>
          {outputs.length} output{outputs.length === 1 ? "" : "s"} hidden — show
        </button>
      ) : (
        <div className="outputs-list">
          {view.notice && (
            <div className="output output-note" role="note">
              {view.notice}
            </div>
          )}
          {view.more > 0 && (
            <div className="output output-note">
              <button type="button" className="link-btn" onClick={() => setShowAll(true)}>
                Show {view.more.toLocaleString("en-US")} more output{view.more === 1 ? "" : "s"}
              </button>
            </div>
          )}
          {view.shown.map(({ output, key }) => (
            <div className="output" key={key}>
              <OutputView output={output} />
            </div>
          ))}
        </div>
      )}
    </div>
  );
});
