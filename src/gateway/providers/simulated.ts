/**
 * Simulated APNS and FCM providers with scriptable outcomes, so every delivery path can be tried
 * by hand or by a test (DESIGN.md "Processes"). An outcome comes from the app's `script` for the
 * pushkey while it lasts, one per attempt; after that from the pushkey itself:
 * - `invalid…`: the token is invalid;
 * - `transient…`: the first `transient_failures` attempts of each notification fail transiently,
 *   then it is delivered;
 * - `permanent…`: a permanent, non-token failure (the notification is dropped, the key kept);
 * - anything else: delivered.
 *
 * The two differ where the real services differ. GW-10: the APNS provider follows the spec's
 * recommendation: it answers without waiting for APNS errors, records them, and the pushkey is
 * rejected the next time it is used. FCM reports an invalid registration in the same response,
 * so the simulated FCM rejects in that response.
 */
import type { SimulatedAppConfig, SimulatedOutcome } from "../config.ts";
import type { AttemptAnswer, DeliveryAttempt, Provider, ProviderOutcome } from "./provider.ts";

export function outcomeFromPushkey(pushkey: string, attempt: number, transientFailures: number): SimulatedOutcome {
  if (pushkey.startsWith("invalid")) return "invalid";
  if (pushkey.startsWith("permanent")) return "permanent";
  if (pushkey.startsWith("transient")) return attempt <= transientFailures ? "transient" : "delivered";
  return "delivered";
}

function answer(app: SimulatedAppConfig, request: DeliveryAttempt): AttemptAnswer {
  const scripted = app.script[request.pushkey]?.[request.scriptUsed];
  if (scripted !== undefined) return { kind: "answered", outcome: scripted, usedScript: true };
  const outcome = outcomeFromPushkey(request.pushkey, request.attempt, app.transientFailures);
  return { kind: "answered", outcome, usedScript: false };
}

function noAsyncResults(): ProviderOutcome {
  // A simulated provider never asks for a POST, so a late report for it is a driver bug;
  // treating it as transient keeps the delivery alive rather than losing it.
  return "transient";
}

export function simulatedApns(app: SimulatedAppConfig): Provider {
  return { type: "apns", rejectsInResponse: false, attempt: (r) => answer(app, r), settle: noAsyncResults };
}

export function simulatedFcm(app: SimulatedAppConfig): Provider {
  return { type: "fcm", rejectsInResponse: true, attempt: (r) => answer(app, r), settle: noAsyncResults };
}
