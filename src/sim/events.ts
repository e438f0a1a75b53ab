/**
 * The events on the simulator's agenda. Traffic carries the incarnation of the node that must
 * still be the same process when it lands (a crash bumps it, so what the dead process sent or
 * armed is dropped, and what was sent to it is refused).
 */
import type { JsonObject } from "../engine/effects.ts";
import type { HomeserverCommand } from "../engine/homeserver.ts";
import type { PushResult } from "../engine/push/pusher-queue.ts";
import type { FederationResult } from "../engine/federation/destinations.ts";
import type { Scheduled } from "./event-queue.ts";
import type { SendRecord } from "./history.ts";

export type Loop = "send" | "sync";

/** A client's request reaching its server. */
export interface ClientArrive extends Scheduled {
  readonly kind: "clientArrive";
  readonly device: number;
  readonly loop: Loop;
  readonly serial: number;
  readonly command: HomeserverCommand;
  /** The send this request carries (null for a sync). */
  readonly record: SendRecord | null;
  readonly sentAt: number;
}

/** The answer reaching the client; `outcome: null` is a refused or reset connection. */
export interface ClientReply extends Scheduled {
  readonly kind: "clientReply";
  readonly device: number;
  readonly loop: Loop;
  readonly serial: number;
  readonly outcome: unknown;
  /** The server incarnation that answered; a crash since then resets the connection. */
  readonly incarnation: number;
}

/** The client stops waiting (lost request or answer) or ends its pause: it (re)sends. */
export interface ClientRetry extends Scheduled {
  readonly kind: "clientRetry";
  readonly device: number;
  readonly loop: Loop;
  readonly serial: number;
}

/** A parked long-poll is woken (new messages) or times out. */
export interface PollEvent extends Scheduled {
  readonly kind: "poll";
  readonly server: number;
  readonly incarnation: number;
  readonly deviceKey: string;
  readonly serial: number;
}

export interface FederationArrive extends Scheduled {
  readonly kind: "federationArrive";
  readonly origin: number;
  readonly originIncarnation: number;
  readonly destination: number;
  readonly txnId: string;
  readonly body: JsonObject;
  readonly sentAt: number;
  /** The copy whose answer the origin waits for; a duplicate's answer goes nowhere. */
  readonly primary: boolean;
}

export interface FederationResultEvent extends Scheduled {
  readonly kind: "federationResult";
  readonly origin: number;
  readonly incarnation: number;
  readonly destination: number;
  readonly txnId: string;
  readonly result: FederationResult;
}

export interface TimerEvent extends Scheduled {
  readonly kind: "timer";
  readonly server: number;
  readonly incarnation: number;
  readonly id: string;
  readonly generation: number;
}

export interface NotifyArrive extends Scheduled {
  readonly kind: "notifyArrive";
  readonly server: number;
  readonly serverIncarnation: number;
  readonly gatewayIncarnation: number;
  readonly pusherId: string;
  readonly body: unknown;
  readonly sentAt: number;
  readonly primary: boolean;
}

export interface PushResultEvent extends Scheduled {
  readonly kind: "pushResult";
  readonly server: number;
  readonly incarnation: number;
  readonly pusherId: string;
  readonly result: PushResult;
}

export interface GatewayTimerEvent extends Scheduled {
  readonly kind: "gatewayTimer";
  readonly incarnation: number;
  readonly id: string;
}

/**
 * A scheduled fault of the scenario (by index), a restart, the heal, a quiescence check, or a
 * server's periodic `expire` (the time-driven cleanup the engine leaves to its driver).
 */
export interface WorldEvent extends Scheduled {
  readonly kind: "fault" | "restart" | "heal" | "tick" | "expire";
  /** The fault's index for `fault`; the server for `restart` (GATEWAY for the gateway) and `expire`. */
  readonly index: number;
  /** For `restart`: the incarnation that crashed (a later crash schedules its own restart). */
  readonly incarnation: number;
}

export type SimEvent =
  | ClientArrive
  | ClientReply
  | ClientRetry
  | PollEvent
  | FederationArrive
  | FederationResultEvent
  | TimerEvent
  | NotifyArrive
  | PushResultEvent
  | GatewayTimerEvent
  | WorldEvent;
