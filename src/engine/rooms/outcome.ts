/**
 * Typed failures shared by the room model and the push modules. The engine never builds HTTP
 * responses; the shell turns a `Failure` into a status line and the Matrix error JSON
 * `{"errcode": ..., "error": ...}`.
 */

export interface Failure {
  readonly ok: false;
  readonly status: 400 | 403 | 404 | 500;
  readonly errcode: string;
  readonly error: string;
}

export function fail(status: Failure["status"], errcode: string, error: string): Failure {
  return { ok: false, status, errcode, error };
}
