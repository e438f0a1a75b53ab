/**
 * A webhook provider in the UnifiedPush style: the notification is POSTed to a configured URL
 * and the driver reports back what happened. The body is the Matrix notify body narrowed to the
 * one device, so the receiver can be another push gateway as well as a plain endpoint.
 *
 * Outcomes, as UnifiedPush gateways and Sygnal's WebPush pushkin treat them:
 * 404 and 410 mean the endpoint is gone (an invalid token: rejected on the next use, like APNS);
 * a 2xx is delivered, unless its JSON body lists this pushkey in `rejected`; anything else
 * (other statuses, connection errors) is transient and retried with back-off. GW-6, GW-10: a
 * gone endpoint is rejected on the pushkey's next use.
 */
import type { WebhookAppConfig } from "../config.ts";
import type { Provider, ProviderOutcome, ProviderResult } from "./provider.ts";

function listsPushkey(body: unknown, pushkey: string): boolean {
  if (typeof body !== "object" || body === null || !("rejected" in body)) return false;
  const rejected: unknown = body.rejected;
  return Array.isArray(rejected) && rejected.includes(pushkey);
}

export function settleWebhook(result: ProviderResult, pushkey: string): ProviderOutcome {
  if ("error" in result) return "transient";
  if (result.status === 404 || result.status === 410) return "invalid";
  if (result.status >= 200 && result.status < 300) return listsPushkey(result.body, pushkey) ? "invalid" : "delivered";
  return "transient";
}

export function webhook(app: WebhookAppConfig): Provider {
  return {
    type: "webhook",
    // The POST has not happened yet when the request is answered.
    rejectsInResponse: false,
    attempt: (r) => ({ kind: "post", url: app.url, body: { notification: r.notification } }),
    settle: settleWebhook,
  };
}
