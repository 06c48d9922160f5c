import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App.js";
import { initTheme } from "./theme/theme.js";
import "./styles/base.css";
import "./styles/layout.css";
import "./styles/notebook.css";
import "./styles/outputs.css";
import "./styles/home.css";
import "./styles/admin.css";

initTheme();
createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
