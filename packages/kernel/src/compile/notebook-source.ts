/**
 * The text the language service sees: the declarations of every cell run so far, then
 * the cell being edited.
 *
 * Only top-level declarations of earlier cells are kept (statements add no names), and a
 * name declared again later (a re-run `const x`, a redefined function) drops the earlier
 * statement, so the service sees each name once, as the kernel has it now.
 */
import type { TS } from "./typescript.js";
import { ts } from "./typescript.js";

interface Declaration {
  text: string;
  names: string[];
}

export interface NotebookSource {
  text: string;
  /** Offset (UTF-16) in `text` where the current cell starts. */
  cellStart: number;
}

function bindingNames(name: TS.BindingName, out: string[]): void {
  const t = ts();
  if (t.isIdentifier(name)) {
    out.push(name.text);
    return;
  }
  for (const element of name.elements) {
    if (!t.isOmittedExpression(element)) bindingNames(element.name, out);
  }
}

/** Names a top-level statement declares (empty for plain statements). */
function declaredNames(stmt: TS.Statement): string[] {
  const t = ts();
  const out: string[] = [];
  if (t.isVariableStatement(stmt)) {
    for (const d of stmt.declarationList.declarations) bindingNames(d.name, out);
  } else if (
    t.isFunctionDeclaration(stmt) ||
    t.isClassDeclaration(stmt) ||
    t.isInterfaceDeclaration(stmt) ||
    t.isTypeAliasDeclaration(stmt) ||
    t.isEnumDeclaration(stmt)
  ) {
    if (stmt.name) out.push(stmt.name.text);
  } else if (t.isModuleDeclaration(stmt)) {
    out.push(t.isIdentifier(stmt.name) ? stmt.name.text : `module:${stmt.name.text}`);
  } else if (t.isImportEqualsDeclaration(stmt)) {
    out.push(stmt.name.text);
  } else if (t.isImportDeclaration(stmt) && stmt.importClause) {
    const clause = stmt.importClause;
    if (clause.name) out.push(clause.name.text);
    const b = clause.namedBindings;
    if (b && t.isNamespaceImport(b)) out.push(b.name.text);
    if (b && t.isNamedImports(b)) for (const e of b.elements) out.push(e.name.text);
  }
  return out;
}

export class NotebookSourceBuilder {
  private readonly cache = new Map<string, Declaration[]>();

  private declarations(code: string): Declaration[] {
    let decls = this.cache.get(code);
    if (!decls) {
      const t = ts();
      const file = t.createSourceFile("cell.ts", code, t.ScriptTarget.ES2023, true, t.ScriptKind.TS);
      decls = file.statements
        .map((s) => ({ text: code.slice(s.getFullStart(), s.end), names: declaredNames(s) }))
        .filter((d) => d.names.length > 0);
      this.cache.set(code, decls);
    }
    return decls;
  }

  /** Builds the service's text for `current` after the cells in `history` (oldest first). */
  build(history: readonly string[], current: string): NotebookSource {
    const taken = new Set(this.declarations(current).flatMap((d) => d.names));
    const kept: string[] = [];
    for (let i = history.length - 1; i >= 0; i--) {
      const decls = this.declarations(history[i]);
      const survivors = decls.filter((d) => d.names.every((n) => !taken.has(n)));
      if (survivors.length > 0) kept.push(survivors.map((d) => d.text).join("\n"));
      for (const d of decls) for (const n of d.names) taken.add(n);
    }
    const prefix = kept.reverse().join("\n") + "\n";
    return { text: prefix + current, cellStart: prefix.length };
  }
}
