/**
 * The body of `POST /_matrix/push/v1/notify` (push gateway API, `api/push-gateway/push_notifier.yaml`):
 * the types the engine reads, and the check. `notification` is the only required top-level key;
 * inside it only `devices`, and inside each device only `app_id` and `pushkey` (research/push.md
 * §1.1). Unknown keys are kept and passed on (Synapse still sends the legacy `id`, and
 * `membership`). GW-13: a body without those required fields is refused; GW-19: a body with
 * nothing else (event_id_only, badge-only) is accepted.
 *
 * The check is the validator generated from the YAML (`models/`), so the engine and the
 * published schema cannot drift apart.
 */
import { validators } from "../../models/index.ts";
import type { Validation } from "../validation.ts";

export interface NotifyDevice {
  readonly [key: string]: unknown;
  readonly app_id: string;
  readonly pushkey: string;
  /** Seconds since the epoch: when the pushkey was last (re-)registered. */
  readonly pushkey_ts?: number;
  readonly data?: Readonly<Record<string, unknown>>;
  readonly tweaks?: Readonly<Record<string, unknown>>;
}

export interface NotifyCounts {
  readonly [key: string]: unknown;
  readonly unread?: number;
  readonly missed_calls?: number;
}

export interface NotifyNotification {
  readonly [key: string]: unknown;
  readonly event_id?: string;
  readonly room_id?: string;
  readonly type?: string;
  readonly sender?: string;
  readonly sender_display_name?: string;
  readonly room_name?: string;
  readonly room_alias?: string;
  readonly user_is_target?: boolean;
  readonly prio?: "high" | "low";
  readonly content?: Readonly<Record<string, unknown>>;
  readonly counts?: NotifyCounts;
  readonly devices: readonly NotifyDevice[];
}

export interface NotifyBody {
  readonly notification: NotifyNotification;
}

/** The generated schema check, typed for the engine. */
export function checkNotifyBody(body: unknown): Validation<NotifyBody> {
  const checked = validators.notify.body(body);
  // The schema admits exactly the shapes NotifyBody describes (plus pass-through extras).
  return checked.ok ? { ok: true, value: checked.value as unknown as NotifyBody } : checked;
}
