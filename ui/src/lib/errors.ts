import type { AppError } from "../bindings/AppError";

/** Anything thrown by a platform call, as the AppError the engine promises. */
export function toAppError(error: unknown): AppError {
  if (isAppError(error)) return error;
  const text = error instanceof Error ? error.message : typeof error === "string" ? error : JSON.stringify(error);
  return {
    code: "internal",
    message: "Something went wrong inside Patchbay.",
    hint: "Try again. If it keeps happening, copy the technical details and send them to support.",
    detail: text ?? null,
    problems: [],
  } as AppError;
}

export function isAppError(value: unknown): value is AppError {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { code?: unknown }).code === "string" &&
    typeof (value as { message?: unknown }).message === "string"
  );
}

/** The technical text a person can copy for support. Never contains a secret. */
export function technicalText(error: AppError): string {
  const lines = [`code: ${error.code}`, `message: ${error.message}`];
  if (error.hint) lines.push(`hint: ${error.hint}`);
  if (error.detail) lines.push(`detail: ${error.detail}`);
  for (const problem of error.problems ?? []) lines.push(`problem: ${problem}`);
  if (error.retryAfterSecs != null) lines.push(`retry after: ${String(error.retryAfterSecs)} s`);
  return lines.join("\n");
}
