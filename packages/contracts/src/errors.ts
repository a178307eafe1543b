/**
 * The one base class of every coded error in the project (vitest's coded errors,
 * influxdb-client's HttpError): a stable `code` a program can branch on, a message that
 * names the input and the problem, and optionally what to do next. Each part of the system
 * narrows `Code` to its own closed list; `instanceof CodedError` catches them all.
 */
export class CodedError<Code extends string = string> extends Error {
  readonly code: Code;
  /** What the user can do about it, when there is something to say. */
  readonly hint: string | undefined;

  constructor(code: Code, message: string, options?: { cause?: unknown; hint?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options?.hint;
    // The subclass's own name (SqliteStoreError, ApiError …) in stack traces and logs.
    this.name = new.target.name;
  }
}

/** `{ code, message }`, the shape every coded error takes in JSON (API bodies, decode output). */
export function errorJson(e: CodedError): { code: string; message: string } {
  return { code: e.code, message: e.message };
}
