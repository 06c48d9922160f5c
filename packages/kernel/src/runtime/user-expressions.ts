/**
 * `user_expressions` of an execute_request: expressions evaluated after the cell, each
 * answered with its text/plain value or its error (as ipykernel does).
 */
import vm from "node:vm";
import { plainText } from "./display.js";
import { ObjectCreate, ObjectKeys, StringCtor } from "./primordials.js";

export type UserExpressionResult =
  | { status: "ok"; data: { "text/plain": string }; metadata: Record<string, never> }
  | { status: "error"; ename: string; evalue: string; traceback: string[] };

/**
 * Evaluates each expression as plain JavaScript in the global scope, which sees the
 * cells' top-level declarations (REPL-mode scripts share the global lexical scope).
 */
export function evaluateUserExpressions(expressions: unknown): Record<string, UserExpressionResult> {
  // No prototype: a client's name such as "__proto__" is just a name.
  const results = ObjectCreate(null) as Record<string, UserExpressionResult>;
  if (typeof expressions !== "object" || expressions === null) return results;
  const names = ObjectKeys(expressions);
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    const expression = (expressions as Record<string, unknown>)[name];
    try {
      const value: unknown = vm.runInThisContext(StringCtor(expression), { filename: "user_expression" });
      results[name] = { status: "ok", data: { "text/plain": plainText(value) }, metadata: {} };
    } catch (err) {
      const e = err instanceof Error ? err : new Error(StringCtor(err));
      results[name] = { status: "error", ename: StringCtor(e.name), evalue: StringCtor(e.message), traceback: [] };
    }
  }
  return results;
}
