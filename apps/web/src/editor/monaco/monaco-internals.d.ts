/** The one Monaco internal the page touches (see env.ts): its global unexpected-error hook. */
declare module "monaco-editor/base/common/errors" {
  export const errorHandler: { unexpectedErrorHandler: (e: unknown) => void };
}
