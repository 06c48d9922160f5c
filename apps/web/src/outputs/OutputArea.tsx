/** A code cell's outputs. Each output is memoized on its identity (copy-on-write state). */
import { memo, useState } from "react";
import { joinSource, type Output } from "@tessera/protocol";
import { AnsiText } from "./Ansi.js";
import { MimeOutput } from "./MimeOutput.js";
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
  if (outputs.length === 0) return null;
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
          {outputs.map((output, i) => (
            <div className="output" key={i}>
              <OutputView output={output} />
            </div>
          ))}
        </div>
      )}
    </div>
  );
});
