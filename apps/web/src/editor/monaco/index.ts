/** The editor module (loaded on demand, in its own chunk). */
import type { Cell } from "@tessera/protocol";
import type { EditorHost, EditorLanguage, EditorModule } from "../types.js";
import { createCellEditor } from "./create-editor.js";
import { monaco } from "./env.js";
import { CellModels } from "./models.js";
import { registerProviders } from "./providers.js";

let host: EditorHost | null = null;
let theme = "tessera-light";
const models = new CellModels();
registerProviders(() => host, models);

const colorCache = new Map<string, string>();

export const editorModule: EditorModule = {
  attach(next) {
    // One notebook per page: models made before attach (an editor mounted first) are kept.
    host = next;
    models.setShared(next.text);
  },
  syncCells(cells: readonly Cell[]) {
    models.sync(cells);
  },
  createEditor(container, cellId, language, source, callbacks) {
    return createCellEditor(container, models.get(cellId, language, source), models, callbacks, theme);
  },
  async colorize(source: string, language: EditorLanguage) {
    const key = `${language}\u0000${source}`;
    const hit = colorCache.get(key);
    if (hit !== undefined) return hit;
    const html = await monaco.editor.colorize(source, language, { tabSize: 2 });
    if (colorCache.size > 1000) colorCache.clear();
    colorCache.set(key, html);
    return html;
  },
  setTheme(dark: boolean) {
    theme = dark ? "tessera-dark" : "tessera-light";
    monaco.editor.setTheme(theme);
  },
};
