// Checks the engine as a whole: commands are plain JSON, and replaying a journal of commands
// (serialised and parsed back, with their `now`) on a fresh homeserver gives the same outcomes,
// the same effects and the same pending messages, under random policies and client behaviour;
// and the ids the engine mints for federation carry the server's epoch.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { Command } from "../../src/engine/commands.ts";
import { type Applied, apply, createHomeserver, type Homeserver } from "../../src/engine/homeserver.ts";
import type { Policies } from "../../src/engine/policies.ts";
import { storedMessages } from "../../src/engine/todevice/delivery-abstraction.ts";
import type { AccessToken, DeviceId, ServerName, TxnId } from "../../src/ids.ts";
import { Clients, scenario } from "../properties/clients.ts";
import { assertParams } from "../properties/run-config.ts";

interface Entry {
  readonly json: string;
  readonly now: number;
  readonly applied: Applied;
}

function fresh(policies: Partial<Policies>): Homeserver {
  return createHomeserver({ serverName: "hs.test" as ServerName, policies });
}

function pending(hs: Homeserver) {
  return { position: hs.state.todevice.position, messages: [...storedMessages(hs)] };
}

describe("homeserver engine", () => {
  test("a journal of JSON commands replays to the same outcomes, effects and state", () => {
    fc.assert(
      fc.property(scenario, ({ policies, ops }) => {
        const hs = fresh(policies);
        const journal: Entry[] = [];
        const clients = new Clients({ hs, apply: (c, now) => apply(hs, c, now) }, (command, now) => {
          const applied = apply(hs, command, now);
          journal.push({ json: JSON.stringify(command), now, applied: structuredClone(applied) });
          return applied;
        });
        for (const o of ops) clients.apply(o);

        const replica = fresh(policies);
        for (const { json, now, applied } of journal) {
          expect(apply(replica, JSON.parse(json) as Command, now)).toEqual(applied);
        }
        expect(pending(replica)).toEqual(pending(hs));
      }),
      assertParams(300),
    );
  });

  test("createHomeserver refuses impossible policies", () => {
    expect(() => fresh({ syncLimit: 0 })).toThrow(RangeError);
    expect(() => fresh({ syncLimit: 1.5 })).toThrow(RangeError);
    expect(() => fresh({ txnRetentionMs: -1 })).toThrow(RangeError);
    expect(() => fresh({ undeliveredExpiryMs: -1 })).toThrow(RangeError);
  });

  test("FED-5: federation message and transaction ids open with the epoch, \"c\" when none is configured", () => {
    const idsOf = (epoch?: string) => {
      const hs = createHomeserver({ serverName: "hs.test" as ServerName, ...(epoch === undefined ? {} : { epoch }) });
      const token = "t" as AccessToken;
      apply(hs, { type: "register", username: "alice", password: "pw", deviceId: "D" as DeviceId, accessToken: token }, 0);
      const body = { messages: { "@bob:remote.test": { D: { n: 1 } } } };
      const sent = apply(hs, { type: "sendToDevice", token, eventType: "m.x", txnId: "1" as TxnId, body }, 0).effects;
      return sent.flatMap((e) => (e.kind === "federation.send" ? [e.txnId, ...e.body.edus.map((edu) => String(edu.content.message_id))] : []));
    };
    expect(idsOf()).toEqual(["c2", "c1"]);
    expect(idsOf("e7")).toEqual(["e72", "e71"]);
  });
});
