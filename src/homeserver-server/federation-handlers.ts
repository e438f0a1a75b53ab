/**
 * The server-server side: `GET /_matrix/key/v2/server` and `PUT /_matrix/federation/v1/send/
 * {txnId}`. Every inbound request must carry a valid X-Matrix signature by a key the origin
 * publishes (FED-15); the origin must be a configured peer (static discovery, no DNS).
 */
import type { KeyObject } from "node:crypto";
import type { Json } from "../canonical-json.ts";
import type { Handler, HandlerInput, ShellResponse } from "../http/app.ts";
import { MatrixHttpError } from "../http/matrix-error.ts";
import { parseXMatrix, publicKeyFrom, serverKeysBody, verifyJson, verifyRequest } from "../http/signing.ts";
import type { ServerName, TxnId } from "../ids.ts";
import type { HomeserverRuntime } from "./runtime.ts";

const KEY_VALIDITY_MS = 24 * 60 * 60_000;

/** The public keys of peers, fetched from their key endpoint and checked against its self-signature. */
export class PeerKeys {
  private readonly cache = new Map<string, { key: KeyObject; until: number }>();

  constructor(private readonly peers: ReadonlyMap<string, string>) {}

  async key(server: string, keyId: string): Promise<KeyObject | null> {
    const cached = this.cache.get(`${server} ${keyId}`);
    if (cached !== undefined && cached.until > Date.now()) return cached.key;
    const base = this.peers.get(server);
    if (base === undefined) return null;
    try {
      const res = await fetch(`${base}/_matrix/key/v2/server`, { signal: AbortSignal.timeout(10_000) });
      const doc = (await res.json()) as { server_name?: string; valid_until_ts?: number; verify_keys?: Record<string, { key?: string }>; signatures?: Record<string, Record<string, string>> };
      const published = doc.verify_keys?.[keyId]?.key;
      if (doc.server_name !== server || published === undefined) return null;
      const key = publicKeyFrom(published);
      const { signatures, ...unsigned } = doc;
      if (!verifyJson(unsigned as Json, signatures?.[server]?.[keyId] ?? "", key)) return null;
      this.cache.set(`${server} ${keyId}`, { key, until: Math.min(doc.valid_until_ts ?? 0, Date.now() + KEY_VALIDITY_MS) });
      return key;
    } catch {
      return null;
    }
  }
}

async function authenticateRequest(input: HandlerInput, serverName: string, keys: PeerKeys): Promise<ServerName> {
  const header = input.request.headers.authorization;
  const auth = parseXMatrix(Array.isArray(header) ? header[0] : header);
  if (auth === null) throw new MatrixHttpError(401, "M_UNAUTHORIZED", "Missing or malformed X-Matrix Authorization header");
  if (auth.destination !== null && auth.destination !== serverName) throw new MatrixHttpError(401, "M_UNAUTHORIZED", "Request is for another server");
  const key = await keys.key(auth.origin, auth.key);
  if (key === null) throw new MatrixHttpError(401, "M_UNAUTHORIZED", `Cannot fetch key ${auth.key} of ${auth.origin}`);
  const query = input.request.query.toString();
  const uri = input.request.path + (query === "" ? "" : `?${query}`);
  const signed = { method: input.request.method, uri, origin: auth.origin, destination: serverName, ...(input.body === undefined ? {} : { content: input.body as Json }) };
  if (!verifyRequest(signed, auth, key)) throw new MatrixHttpError(401, "M_UNAUTHORIZED", "Invalid X-Matrix signature");
  return auth.origin as ServerName;
}

export function federationHandlers(rt: HomeserverRuntime, peers: ReadonlyMap<string, string>): Record<string, Handler> {
  const keys = new PeerKeys(peers);
  const serverName = rt.engine.serverName;
  return {
    getServerKey: () => ({ status: 200, body: serverKeysBody(serverName, rt.signingKey, Date.now() + KEY_VALIDITY_MS) }),
    sendTransaction: async (input): Promise<ShellResponse> => {
      const origin = await authenticateRequest(input, serverName, keys);
      const o = rt.run({ type: "receiveTransaction", origin, txnId: String(input.params.txnId) as TxnId, body: input.body });
      return o.ok ? { status: 200, body: o.body } : { status: o.status, body: { errcode: o.errcode, error: o.error } };
    },
  };
}
