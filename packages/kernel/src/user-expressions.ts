/**
 * `user_expressions` of an execute_request: expressions evaluated after the cell, each
 * answered with its text/plain value or its error (as ipykernel does).
 */
import vm from "node:vm";
import { plainText } from "./display.js";

export type UserExpressionResult =
  | { status: "ok"; data: { "text/plain": string }; metadata: Record<string, never> }
  | { status: "error"; ename: string; evalue: string; traceback: string[] };

/**
 * Evaluates each expression as plain JavaScript in the global scope, which sees the
 * cells' top-level declarations (REPL-mode scripts share the global lexical scope).
 */
export function evaluateUserExpressions(expressions: unknown): Record<string, UserExpressionResult> {
  const results: Record<string, UserExpressionResult> = {};
  if (typeof expressions !== "object" || expressions === null) return results;
  for (const [name, expression] of Object.entries(expressions)) {
    try {
      const value: unknown = vm.runInThisContext(String(expression), { filename: "user_expression" });
      results[name] = { status: "ok", data: { "text/plain": plainText(value) }, metadata: {} };
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      results[name] = { status: "error", ename: e.name, evalue: e.message, traceback: [] };
    }
  }
  return results;
}
