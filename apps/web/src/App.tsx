import { AdminPage } from "./admin/AdminPage.js";
import { parseRoute, treeUrl } from "./api/urls.js";
import { DialogHost } from "./components/dialogs.js";
import { Toasts } from "./components/toasts.js";
import { HomePage } from "./home/HomePage.js";
import { MetricsPanel } from "./metrics/MetricsPanel.js";
import { NotebookPage } from "./notebook/NotebookPage.js";

/** One page per URL (the server serves index.html for each); navigation is by links. */
export function App() {
  const route = parseRoute(location.pathname);
  return (
    <>
      {route.kind === "notebook" ? (
        <NotebookPage path={route.path} />
      ) : route.kind === "tree" ? (
        <HomePage dir={route.path} />
      ) : route.kind === "admin" ? (
        <AdminPage />
      ) : (
        <div className="not-found">
          <h1>Not found</h1>
          <p>
            Nothing lives at <code>{route.path}</code>. <a href={treeUrl("")}>Go to the files</a>.
          </p>
        </div>
      )}
      <MetricsPanel currentPath={route.kind === "notebook" ? route.path : null} />
      <DialogHost />
      <Toasts />
    </>
  );
}
