/**
 * What the gateway engine asks its driver to do or to record: data only. The HTTP shell executes
 * `provider.post` with fetch and `timer` with a real timer; the simulator does both on its
 * virtual clock; tests read `provider.delivered` to check "the provider got it exactly once, in
 * order per pushkey".
 */
import type { NotifyNotification } from "./notify-body.ts";
import type { ProviderType } from "./providers/provider.ts";

export type LogCode =
  | "unknown-app"
  | "ambiguous-app"
  | "known-token-failure"
  | "token-failure"
  | "dropped-permanent"
  | "dropped-after-retries"
  | "dropped-after-rejection";

export type GatewayEffect =
  | {
      readonly kind: "provider.delivered";
      readonly provider: ProviderType;
      readonly appId: string;
      readonly pushkey: string;
      readonly eventId?: string;
      readonly notification: NotifyNotification;
    }
  | { readonly kind: "provider.post"; readonly deliveryId: string; readonly url: string; readonly body: unknown }
  | { readonly kind: "timer"; readonly id: string; readonly at: number }
  | {
      readonly kind: "log";
      readonly level: "info" | "warn";
      readonly code: LogCode;
      readonly message: string;
      readonly appId: string;
      readonly pushkey: string;
      readonly eventId?: string;
    };

export type LogEffect = Extract<GatewayEffect, { kind: "log" }>;

export function logEffect(
  level: LogEffect["level"],
  code: LogCode,
  message: string,
  about: { readonly appId: string; readonly pushkey: string; readonly eventId: string | null },
): LogEffect {
  const base = { kind: "log" as const, level, code, message, appId: about.appId, pushkey: about.pushkey };
  return about.eventId === null ? base : { ...base, eventId: about.eventId };
}
