/**
 * Rewrites a cell's module syntax into statements a REPL-mode script can run.
 *
 * A cell is evaluated as a script, where `import`/`export` declarations are syntax errors.
 * So (before TypeScript strips types):
 * - `import d, { a, b as c } from "m"` -> `const { default: d, a, b: c } = await __tessera.i("m")`
 * - `import * as ns from "m"`          -> `const ns = await __tessera.i("m")`
 * - `import "m"`                        -> `await __tessera.i("m")`
 * - `import type …`, `import { type T }` -> dropped
 * - `import x = require("m")`          -> `const x = require("m")` (resolved from the notebook folder)
 * - `export` / `export default` keywords -> dropped; `export … from "m"` -> `await __tessera.i("m")`
 *
 * Imports therefore run in place rather than hoisted, and bind `const`s (REPL mode lets a
 * re-run cell declare them again).
 */
import type { TS } from "./typescript.js";
import { ts } from "./typescript.js";

/** The global object cell code reaches the kernel through (see runtime/runtime.ts). */
export const RUNTIME_GLOBAL = "__tessera";

export function runtimeMember(f: TS.NodeFactory, name: string): TS.PropertyAccessExpression {
  return f.createPropertyAccessExpression(f.createIdentifier(RUNTIME_GLOBAL), name);
}

/** `await __tessera.i(spec[, { with: attributes }])` */
function loadModule(f: TS.NodeFactory, specifier: TS.Expression, attributes: TS.ImportAttributes | undefined): TS.Expression {
  const args: TS.Expression[] = [specifier];
  if (attributes && attributes.elements.length > 0) {
    const entries = attributes.elements.map((a) => f.createPropertyAssignment(a.name, a.value));
    args.push(f.createObjectLiteralExpression([f.createPropertyAssignment("with", f.createObjectLiteralExpression(entries))]));
  }
  return f.createAwaitExpression(f.createCallExpression(runtimeMember(f, "i"), undefined, args));
}

function constStatement(f: TS.NodeFactory, declarations: TS.VariableDeclaration[]): TS.Statement {
  return f.createVariableStatement(undefined, f.createVariableDeclarationList(declarations, ts().NodeFlags.Const));
}

function rewriteImport(f: TS.NodeFactory, node: TS.ImportDeclaration): TS.Statement[] {
  const t = ts();
  const clause = node.importClause;
  if (clause?.phaseModifier === t.SyntaxKind.TypeKeyword) return [];
  const load = loadModule(f, node.moduleSpecifier, node.attributes);
  const bindings = clause?.namedBindings;
  if (!clause || (!clause.name && bindings && t.isNamedImports(bindings) && bindings.elements.length === 0)) {
    return [f.createExpressionStatement(load)];
  }
  if (bindings && t.isNamespaceImport(bindings)) {
    const declarations = [f.createVariableDeclaration(bindings.name, undefined, undefined, load)];
    if (clause.name) {
      declarations.push(
        f.createVariableDeclaration(clause.name, undefined, undefined, f.createPropertyAccessExpression(bindings.name, "default")),
      );
    }
    return [constStatement(f, declarations)];
  }
  const elements: TS.BindingElement[] = [];
  if (clause.name) elements.push(f.createBindingElement(undefined, "default", clause.name));
  if (bindings && t.isNamedImports(bindings)) {
    for (const spec of bindings.elements) {
      if (!spec.isTypeOnly) elements.push(f.createBindingElement(undefined, spec.propertyName, spec.name));
    }
  }
  // Only type-only specifiers: TypeScript would elide the import; so do we.
  if (elements.length === 0) return [];
  return [constStatement(f, [f.createVariableDeclaration(f.createObjectBindingPattern(elements), undefined, undefined, load)])];
}

function withoutExport(f: TS.NodeFactory, node: TS.Statement): TS.Statement {
  const t = ts();
  if (!t.canHaveModifiers(node) || !node.modifiers?.some((m) => m.kind === t.SyntaxKind.ExportKeyword)) return node;
  const kept = node.modifiers.filter((m) => m.kind !== t.SyntaxKind.ExportKeyword && m.kind !== t.SyntaxKind.DefaultKeyword);
  // `export default function () {}` has no name: as a statement it must become an expression.
  if (t.isFunctionDeclaration(node) && !node.name && node.body) {
    const fn = f.createFunctionExpression(
      kept.filter((m) => m.kind !== t.SyntaxKind.Decorator) as TS.Modifier[],
      node.asteriskToken,
      undefined,
      node.typeParameters,
      node.parameters,
      node.type,
      node.body,
    );
    return f.createExpressionStatement(fn);
  }
  if (t.isClassDeclaration(node) && !node.name) {
    return f.createExpressionStatement(f.createClassExpression(kept, undefined, node.typeParameters, node.heritageClauses, node.members));
  }
  return f.replaceModifiers(node as TS.HasModifiers, kept as TS.Modifier[]) as unknown as TS.Statement;
}

function rewriteStatement(f: TS.NodeFactory, node: TS.Statement): TS.Statement[] {
  const t = ts();
  if (t.isImportDeclaration(node)) return rewriteImport(f, node);
  if (t.isImportEqualsDeclaration(node)) {
    if (node.isTypeOnly) return [];
    if (t.isExternalModuleReference(node.moduleReference)) {
      const call = f.createCallExpression(f.createIdentifier("require"), undefined, [node.moduleReference.expression]);
      return [constStatement(f, [f.createVariableDeclaration(node.name, undefined, undefined, call)])];
    }
    return [withoutExport(f, node)];
  }
  if (t.isExportDeclaration(node)) {
    if (node.isTypeOnly || !node.moduleSpecifier) return [];
    return [f.createExpressionStatement(loadModule(f, node.moduleSpecifier, node.attributes))];
  }
  if (t.isExportAssignment(node)) return [f.createExpressionStatement(node.expression)];
  return [withoutExport(f, node)];
}

/** The `before` transformer for a cell's top-level module syntax. */
export const moduleSyntaxTransformer: TS.TransformerFactory<TS.SourceFile> = (context) => (file) => {
  const f = context.factory;
  return f.updateSourceFile(
    file,
    file.statements.flatMap((s) => rewriteStatement(f, s)),
  );
};
