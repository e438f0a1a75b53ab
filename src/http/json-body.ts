/**
 * Reading a request body as JSON, so that bad input never costs more than a 4xx:
 * - a body over the configured limit is refused with 413 M_TOO_LARGE while it streams in;
 * - JSON nested deeper than a fixed limit is refused with 400 M_BAD_JSON before it is parsed,
 *   so deep nesting never reaches a recursive serialiser (JSON.stringify overflows at a few
 *   thousand levels);
 * - text that is not JSON gives 400 M_NOT_JSON.
 */
import type { IncomingMessage } from "node:http";
import { MatrixHttpError } from "./matrix-error.ts";

export const MAX_JSON_DEPTH = 64;

export function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? "0");
    if (declared > limitBytes) {
      req.resume();
      reject(new MatrixHttpError(413, "M_TOO_LARGE", `request body is larger than ${limitBytes} bytes`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        req.removeAllListeners("data");
        req.resume();
        reject(new MatrixHttpError(413, "M_TOO_LARGE", `request body is larger than ${limitBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** The deepest nesting of arrays and objects in a JSON text, found in one linear pass. */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      depth++;
      if (depth > max) max = depth;
    } else if (c === 125 || c === 93) depth--;
  }
  return max;
}

export function parseJsonBody(raw: Buffer): unknown {
  const text = raw.toString("utf8");
  if (jsonDepth(text) > MAX_JSON_DEPTH) {
    throw new MatrixHttpError(400, "M_BAD_JSON", `JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new MatrixHttpError(400, "M_NOT_JSON", "request body is not valid JSON");
  }
}
