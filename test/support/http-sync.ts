/**
 * One device's sync chain over HTTP, as the SyTest and Complement harnesses drive it: `receive`
 * syncs from the last acknowledged token without moving it (a re-read, TD-52), `ack` syncs with
 * a response's `next_batch` as `since` (the implicit acknowledgement, TD-21) and moves the chain
 * there, and `next` does both at once, as a client's sync loop does. Every answer is checked
 * against the API schema by the client.
 */
import { type MatrixSession, must, type OkBody } from "./http-client.ts";

export interface ToDeviceEvent {
  readonly sender: string;
  readonly type: string;
  readonly content: Readonly<Record<string, unknown>>;
}

export type SyncBody = OkBody<"sync">;

export interface Received {
  readonly events: readonly ToDeviceEvent[];
  readonly nextBatch: string;
  readonly body: SyncBody;
}

function received(body: SyncBody): Received {
  return { events: (body.to_device?.events ?? []) as readonly ToDeviceEvent[], nextBatch: body.next_batch, body };
}

export class SyncChain {
  /** The last token this device acknowledged; undefined before its first acknowledgement. */
  since: string | undefined;

  constructor(readonly session: MatrixSession) {}

  /** An initial sync that acknowledges nothing but fixes the chain's starting point (Complement's first sync). */
  async start(): Promise<Received> {
    const r = received(must(await this.session.sync()));
    this.since = r.nextBatch;
    return r;
  }

  /** Syncs from the last acknowledged token, waiting up to `timeout` ms; the chain does not move. */
  async receive(timeout = 0): Promise<Received> {
    return received(must(await this.session.sync({ ...(this.since === undefined ? {} : { since: this.since }), timeout })));
  }

  /** Acknowledges everything up to `token`; the chain moves to the answer's next_batch. */
  async ack(token: string): Promise<Received> {
    const r = received(must(await this.session.sync({ since: token })));
    this.since = r.nextBatch;
    return r;
  }

  /** One step of a sync loop: sync from the chain's position and move to the answer's next_batch. */
  async next(timeout = 0): Promise<Received> {
    const r = await this.receive(timeout);
    this.since = r.nextBatch;
    return r;
  }

  /**
   * SyTest's `matrix_recv_device_message`: syncs (long-polling, without moving the chain) until
   * some to-device event arrives, for at most `withinMs`.
   */
  async receiveSome(withinMs = 10_000): Promise<Received> {
    const deadline = Date.now() + withinMs;
    for (;;) {
      const left = deadline - Date.now();
      const r = await this.receive(Math.max(0, Math.min(left, 1_000)));
      if (r.events.length > 0 || left <= 0) return r;
    }
  }

  /** Complement's `SyncUntil`: follows the chain until `check` holds for one event; returns that event. */
  async nextUntil(check: (e: ToDeviceEvent) => boolean, withinMs = 10_000): Promise<ToDeviceEvent> {
    const deadline = Date.now() + withinMs;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.session.userId}/${this.session.deviceId}: no matching to-device event within ${withinMs} ms`);
      const found = (await this.next(Math.min(left, 1_000))).events.find(check);
      if (found !== undefined) return found;
    }
  }
}
