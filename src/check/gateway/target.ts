/**
 * A push gateway under test, over HTTP: where it is, an app id it routes to a provider that
 * accepts any pushkey, and how the checker sees what reached the provider — Courier's
 * `GET /_courier/deliveries` (probed), or a webhook app whose provider posts to the checker's
 * recording gateway. Without either, the dedupe property cannot be judged and is not run.
 */
import { type Answer, describeAnswer } from "../driver.ts";
import { type ExchangeContext, exchange } from "../drivers/http-exchange.ts";
import type { RecordingGateway } from "../push/recorder.ts";
import type { Transcript } from "../transcript.ts";

export const NOTIFY_PATH = "/_matrix/push/v1/notify";

/** Counts provider deliveries of one (event id, pushkey). */
export type DeliveryCounter = (pushkey: string, eventId: string) => Promise<number>;

export interface GatewayTarget {
  readonly label: string;
  readonly context: ExchangeContext;
  /** An app id the gateway routes to a provider that accepts any pushkey. */
  readonly appId: string;
  readonly deliveries: DeliveryCounter | null;
}

export function notify(target: GatewayTarget, body: unknown): Promise<Answer> {
  return exchange(target.context, { operationId: "notify", method: "POST", path: NOTIFY_PATH, body });
}

export function gatewayContext(url: string, transcript: Transcript): ExchangeContext {
  return { baseUrl: url.replace(/\/+$/, ""), transcript, now: () => Date.now() };
}

/** Courier's deliveries endpoint, when the gateway has one. */
export async function courierDeliveries(context: ExchangeContext): Promise<DeliveryCounter | null> {
  const probe = await exchange(context, { operationId: null, method: "GET", path: "/_courier/deliveries", query: { pushkey: "probe" } });
  if (probe.status !== 200) return null;
  return async (pushkey, eventId) => {
    const answer = await exchange(context, { operationId: null, method: "GET", path: "/_courier/deliveries", query: { pushkey } });
    const list = (answer.body as { deliveries?: { event_id?: string }[] } | null)?.deliveries;
    if (!Array.isArray(list)) throw new Error(`GET /_courier/deliveries answered ${describeAnswer(answer)}`);
    return list.filter((d) => d.event_id === eventId).length;
  };
}

/** Deliveries a webhook provider posted to the checker's recording gateway. */
export function webhookDeliveries(recorder: RecordingGateway): DeliveryCounter {
  return async (pushkey, eventId) => recorder.pushesFor(pushkey).filter((p) => p.eventId === eventId).length;
}
