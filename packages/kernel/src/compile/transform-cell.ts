/**
 * Instruments a cell for the kernel (a `before` transformer, after transform-modules.ts):
 * - a cheap interrupt check at the head of every loop body: `__tessera.c()`;
 * - every `await x` becomes `__tessera.a(await x)`, so an interrupted async loop stops at
 *   its next step even when it never spins synchronously;
 * - `import(x)` -> `__tessera.i(x)` and `import.meta` -> `__tessera.meta` (scripts have neither);
 * - the last statement, when it is an expression statement, hands its value to the kernel:
 *   `__tessera.r(<run id>, expr)`. Only then does a cell have an `execute_result`: the
 *   completion value of a loop or declaration is not shown.
 *
 * And an `after` transformer that makes the emitted script strict (cells are compiled as
 * modules, which are strict; the script they become should behave the same), and brackets
 * it with the evaluator's hooks: `__tesseraEval.begin()` first, `__tesseraEval.end()` last
 * (reached only when the cell completes normally; see runtime/evaluator.ts for why).
 */
import type { TS } from "./typescript.js";
import { ts } from "./typescript.js";
import { runtimeMember } from "./transform-modules.js";

/** The global the evaluator's hooks live on (see runtime/evaluator.ts). */
export const EVALUATOR_GLOBAL = "__tesseraEval";

export interface CellTransformState {
  /** The cell ends with an expression statement (its value is the cell's result). */
  hasResult: boolean;
}

function isTypeOnlyStatement(node: TS.Statement): boolean {
  const t = ts();
  if (t.isInterfaceDeclaration(node) || t.isTypeAliasDeclaration(node) || t.isEmptyStatement(node)) return true;
  return t.canHaveModifiers(node) && !!node.modifiers?.some((m) => m.kind === t.SyntaxKind.DeclareKeyword);
}

/** The `before` transformer that adds interrupt checks and result capture. */
export function cellTransformer(state: CellTransformState): TS.TransformerFactory<TS.SourceFile> {
  return (context) => (file) => {
    const t = ts();
    const f = context.factory;
    const K = t.SyntaxKind;
    const check = (): TS.Statement => f.createExpressionStatement(f.createCallExpression(runtimeMember(f, "c"), undefined, []));
    const withCheck = (body: TS.Statement): TS.Statement =>
      t.isBlock(body) ? f.updateBlock(body, [check(), ...body.statements]) : f.createBlock([check(), body], true);

    const visit = (node: TS.Node): TS.Node => {
      const n = t.visitEachChild(node, visit, context);
      switch (n.kind) {
        case K.ForStatement: {
          const s = n as TS.ForStatement;
          return f.updateForStatement(s, s.initializer, s.condition, s.incrementor, withCheck(s.statement));
        }
        case K.ForInStatement: {
          const s = n as TS.ForInStatement;
          return f.updateForInStatement(s, s.initializer, s.expression, withCheck(s.statement));
        }
        case K.ForOfStatement: {
          const s = n as TS.ForOfStatement;
          return f.updateForOfStatement(s, s.awaitModifier, s.initializer, s.expression, withCheck(s.statement));
        }
        case K.WhileStatement: {
          const s = n as TS.WhileStatement;
          return f.updateWhileStatement(s, s.expression, withCheck(s.statement));
        }
        case K.DoStatement: {
          const s = n as TS.DoStatement;
          return f.updateDoStatement(s, withCheck(s.statement), s.expression);
        }
        case K.AwaitExpression:
          return f.createCallExpression(runtimeMember(f, "a"), undefined, [n as TS.AwaitExpression]);
        case K.CallExpression: {
          const call = n as TS.CallExpression;
          if (call.expression.kind === K.ImportKeyword)
            return f.updateCallExpression(call, runtimeMember(f, "i"), undefined, call.arguments);
          return n;
        }
        case K.MetaProperty: {
          const meta = n as TS.MetaProperty;
          return meta.keywordToken === K.ImportKeyword ? runtimeMember(f, "meta") : n;
        }
        default:
          return n;
      }
    };

    const statements = [...file.statements];
    let last = statements.length - 1;
    while (last >= 0 && isTypeOnlyStatement(statements[last])) last--;
    state.hasResult = last >= 0 && t.isExpressionStatement(statements[last]);
    if (state.hasResult) {
      const stmt = statements[last] as TS.ExpressionStatement;
      const capture = f.createCallExpression(runtimeMember(f, "r"), undefined, [stmt.expression]);
      statements[last] = f.updateExpressionStatement(stmt, capture);
    }
    const updated = f.updateSourceFile(file, statements);
    return t.visitEachChild(updated, visit, context);
  };
}

/** The `after` transformer: drop the `export {}` a module gets, make the script strict, add the evaluator's hooks. */
export const scriptFormTransformer: TS.TransformerFactory<TS.SourceFile> = (context) => (file) => {
  const t = ts();
  const f = context.factory;
  const statements = file.statements.filter(
    (s) =>
      !(
        t.isExportDeclaration(s) &&
        !s.moduleSpecifier &&
        (!s.exportClause || (t.isNamedExports(s.exportClause) && s.exportClause.elements.length === 0))
      ),
  );
  const hook = (name: "begin" | "end"): TS.Statement =>
    f.createExpressionStatement(
      f.createCallExpression(f.createPropertyAccessExpression(f.createIdentifier(EVALUATOR_GLOBAL), name), undefined, []),
    );
  return f.updateSourceFile(file, [
    f.createExpressionStatement(f.createStringLiteral("use strict")),
    hook("begin"),
    ...statements,
    hook("end"),
  ]);
};
