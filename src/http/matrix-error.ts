/**
 * Matrix error answers: `{"errcode": "M_…", "error": "…"}`. The engine names the errcode in its
 * typed outcomes; only the shell turns them into HTTP status codes.
 */

export class MatrixHttpError extends Error {
  constructor(
    readonly status: number,
    readonly errcode: string,
    message: string,
  ) {
    super(message);
  }

  body(): { errcode: string; error: string } {
    return { errcode: this.errcode, error: this.message };
  }
}

/** HTTP status for each errcode the engines use. */
const STATUS: Readonly<Record<string, number>> = {
  M_MISSING_TOKEN: 401,
  M_UNKNOWN_TOKEN: 401,
  M_FORBIDDEN: 403,
  M_NOT_FOUND: 404,
  M_UNRECOGNIZED: 404,
  M_TOO_LARGE: 413,
  M_LIMIT_EXCEEDED: 429,
  M_UNKNOWN: 500,
};

export function statusOf(errcode: string): number {
  return STATUS[errcode] ?? 400;
}
