/**
 * Federation request signing (server-server API, "Request Authentication"): each request
 * carries `Authorization: X-Matrix origin=…,destination=…,key=…,sig=…`, an ed25519 signature
 * over the canonical JSON of `{method, uri, origin, destination, content?}`. Server keys are
 * published at `/_matrix/key/v2/server` (FED-14), self-signed the same way. Base64 is unpadded.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from "node:crypto";
import { canonicalJson, type Json } from "../canonical-json.ts";

export interface SigningKey {
  readonly keyId: string;
  readonly privateKey: KeyObject;
  /** The raw 32-byte public key, unpadded base64. */
  readonly publicKeyBase64: string;
}

export function unpaddedBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64").replace(/=+$/, "");
}

function rawPublicKey(key: KeyObject): Buffer {
  // The raw key is the last 32 bytes of the SPKI DER encoding of an ed25519 key.
  return (createPublicKey(key).export({ format: "der", type: "spki" }) as Buffer).subarray(-32);
}

export function newSigningKey(keyId = "ed25519:auto"): { key: SigningKey; pkcs8: string } {
  const { privateKey } = generateKeyPairSync("ed25519");
  const pkcs8 = (privateKey.export({ format: "der", type: "pkcs8" }) as Buffer).toString("base64");
  return { key: signingKeyFrom(keyId, pkcs8), pkcs8 };
}

export function signingKeyFrom(keyId: string, pkcs8Base64: string): SigningKey {
  const privateKey = createPrivateKey({ key: Buffer.from(pkcs8Base64, "base64"), format: "der", type: "pkcs8" });
  return { keyId, privateKey, publicKeyBase64: unpaddedBase64(rawPublicKey(privateKey)) };
}

export function publicKeyFrom(base64: string): KeyObject {
  const raw = Buffer.from(base64, "base64");
  const spkiPrefix = Buffer.from("302a300506032b6570032100", "hex");
  return createPublicKey({ key: Buffer.concat([spkiPrefix, raw]), format: "der", type: "spki" });
}

export function signJson(value: Json, key: SigningKey): string {
  return unpaddedBase64(sign(null, Buffer.from(canonicalJson(value)), key.privateKey));
}

export function verifyJson(value: Json, signatureBase64: string, publicKey: KeyObject): boolean {
  try {
    return verify(null, Buffer.from(canonicalJson(value)), publicKey, Buffer.from(signatureBase64, "base64"));
  } catch {
    return false;
  }
}

export interface RequestToSign {
  readonly method: string;
  readonly uri: string;
  readonly origin: string;
  readonly destination: string;
  readonly content?: Json;
}

function signedObject(r: RequestToSign): Json {
  const base: Record<string, Json> = { method: r.method, uri: r.uri, origin: r.origin, destination: r.destination };
  if (r.content !== undefined) base.content = r.content;
  return base;
}

export function xMatrixHeader(r: RequestToSign, key: SigningKey): string {
  const sig = signJson(signedObject(r), key);
  return `X-Matrix origin="${r.origin}",destination="${r.destination}",key="${key.keyId}",sig="${sig}"`;
}

export interface XMatrix {
  readonly origin: string;
  readonly destination: string | null;
  readonly key: string;
  readonly sig: string;
}

export function parseXMatrix(header: string | undefined): XMatrix | null {
  if (header === undefined || !/^X-Matrix\s+/i.test(header)) return null;
  const params: Record<string, string> = {};
  for (const part of header.replace(/^X-Matrix\s+/i, "").split(",")) {
    const m = /^\s*([a-z_]+)=(?:"([^"]*)"|([^",\s]*))\s*$/i.exec(part);
    if (m?.[1] !== undefined) params[m[1].toLowerCase()] = m[2] ?? m[3] ?? "";
  }
  const { origin, key, sig } = params;
  if (origin === undefined || key === undefined || sig === undefined) return null;
  return { origin, destination: params.destination ?? null, key, sig };
}

export function verifyRequest(r: RequestToSign, auth: XMatrix, publicKey: KeyObject): boolean {
  return verifyJson(signedObject(r), auth.sig, publicKey);
}

/** The body of `GET /_matrix/key/v2/server`, self-signed. */
export function serverKeysBody(serverName: string, key: SigningKey, validUntilTs: number): Record<string, Json> {
  const unsigned: Record<string, Json> = {
    server_name: serverName,
    valid_until_ts: validUntilTs,
    verify_keys: { [key.keyId]: { key: key.publicKeyBase64 } },
    old_verify_keys: {},
  };
  return { ...unsigned, signatures: { [serverName]: { [key.keyId]: signJson(unsigned, key) } } };
}
