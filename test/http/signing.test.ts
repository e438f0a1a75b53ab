// FED: X-Matrix request signatures verify with the published key, and fail when the request,
// the origin or the key differs; server key documents are self-signed.
import { describe, expect, test } from "vitest";
import { newSigningKey, parseXMatrix, publicKeyFrom, serverKeysBody, verifyJson, verifyRequest, xMatrixHeader } from "../../src/http/signing.ts";

describe("X-Matrix signing", () => {
  const { key } = newSigningKey();
  const request = { method: "PUT", uri: "/_matrix/federation/v1/send/t1", origin: "a.test", destination: "b.test", content: { edus: [], pdus: [] } };

  test("a signed request verifies with the published public key", () => {
    const auth = parseXMatrix(xMatrixHeader(request, key));
    expect(auth?.origin).toBe("a.test");
    expect(auth && verifyRequest(request, auth, publicKeyFrom(key.publicKeyBase64))).toBe(true);
  });

  test("a changed body, uri or key fails verification", () => {
    const auth = parseXMatrix(xMatrixHeader(request, key));
    if (auth === null) throw new Error("header did not parse");
    const pub = publicKeyFrom(key.publicKeyBase64);
    expect(verifyRequest({ ...request, content: { edus: [{}], pdus: [] } }, auth, pub)).toBe(false);
    expect(verifyRequest({ ...request, uri: "/_matrix/federation/v1/send/t2" }, auth, pub)).toBe(false);
    expect(verifyRequest(request, auth, publicKeyFrom(newSigningKey().key.publicKeyBase64))).toBe(false);
  });

  test("a malformed header is refused", () => {
    expect(parseXMatrix(undefined)).toBeNull();
    expect(parseXMatrix("Bearer abc")).toBeNull();
    expect(parseXMatrix('X-Matrix origin="a.test"')).toBeNull();
  });

  test("the server key document is self-signed", () => {
    const body = serverKeysBody("a.test", key, 1000);
    const { signatures, ...unsigned } = body;
    const sig = (signatures as Record<string, Record<string, string>>)["a.test"]?.[key.keyId] ?? "";
    expect(verifyJson(unsigned, sig, publicKeyFrom(key.publicKeyBase64))).toBe(true);
  });
});
