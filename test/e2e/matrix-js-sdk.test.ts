// End to end with a real client library: matrix-js-sdk 37.5.0 clients start against in-process
// Courier homeservers, send with `sendToDevice` and `queueToDevice`, and receive on
// `ClientEvent.ToDeviceEvent`, on one homeserver and across two (TD-1, TD-17, TD-24, TD-30, TD-31, TD-32, TD-33,
// FED-1); a room message sent through the SDK reaches the sandbox push gateway's provider
// (PUSH-1, PUSH-2, GW-12). Assumes the SDK without crypto (custom types arrive raw), its logger
// silenced, and accounts registered over HTTP first; clients are stopped in afterAll.
import { ClientEvent, createClient, type MatrixClient, type MatrixEvent, MsgType } from "matrix-js-sdk";
import { logger as sdkLogger } from "matrix-js-sdk/lib/logger.js";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { GatewayServer } from "../../src/gateway-server/server.ts";
import { type MatrixSession, must, register } from "../support/http-client.ts";
import { Federation, startSandboxGateway, until } from "../support/http-servers.ts";

interface SilentLogger {
  trace(): void;
  debug(): void;
  info(): void;
  warn(): void;
  error(): void;
  getChild(): SilentLogger;
}

const silent: SilentLogger = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, getChild: () => silent };

// The SDK's module-level loggers are loglevel loggers; children copy the root's method factory.
const root = sdkLogger as unknown as { methodFactory: () => () => void; rebuild(): void };
root.methodFactory = () => () => {};
root.rebuild();

interface Running {
  readonly client: MatrixClient;
  readonly received: { type: string; sender: string; content: Record<string, unknown> }[];
}

const clients: MatrixClient[] = [];
let fed: Federation;
let gateway: GatewayServer;

async function start(session: MatrixSession): Promise<Running> {
  const client = createClient({ baseUrl: session.baseUrl, accessToken: session.accessToken, userId: session.userId, deviceId: session.deviceId, logger: silent });
  clients.push(client);
  const received: Running["received"] = [];
  client.on(ClientEvent.ToDeviceEvent, (event: MatrixEvent) => {
    received.push({ type: event.getType(), sender: event.getSender() ?? "", content: event.getContent() });
  });
  const prepared = new Promise<void>((resolve, reject) => {
    client.on(ClientEvent.Sync, (state) => {
      if (state === "PREPARED") resolve();
      if (state === "ERROR") reject(new Error(`${session.userId}: the SDK's sync failed`));
    });
  });
  await client.startClient({ initialSyncLimit: 1 });
  await prepared;
  return { client, received };
}

beforeAll(async () => {
  fed = await Federation.start(["hs1", "hs2"]);
  gateway = await startSandboxGateway();
});

afterAll(async () => {
  for (const client of clients) client.stopClient();
  await fed.close();
  await gateway.close();
});

describe("matrix-js-sdk 37.5.0 against Courier", () => {
  test("sendToDevice and queueToDevice on one homeserver reach ClientEvent.ToDeviceEvent (TD-1, TD-17, TD-30, TD-31, TD-32, TD-33)", async () => {
    const [aliceSession, bobSession] = [await register(fed.url("hs1"), "alice"), await register(fed.url("hs1"), "bob")];
    const [alice, bob] = [await start(aliceSession), await start(bobSession)];
    const to = new Map([[bobSession.userId, new Map([[bobSession.deviceId, { n: 1 }]])]]);
    await alice.client.sendToDevice("org.example.ping", to);
    await alice.client.queueToDevice({ eventType: "org.example.queued", batch: [{ userId: bobSession.userId, deviceId: bobSession.deviceId, payload: { q: 1 } }] });
    await until(() => bob.received.length >= 2, "bob's SDK to receive both messages");
    expect(bob.received).toEqual([
      { type: "org.example.ping", sender: aliceSession.userId, content: { n: 1 } },
      { type: "org.example.queued", sender: aliceSession.userId, content: { q: 1 } },
    ]);
  });

  test("across two homeservers, both ways, with `*` (TD-7, TD-24, FED-1, FED-6, FED-7)", async () => {
    const [carolSession, daveSession] = [await register(fed.url("hs1"), "carol"), await register(fed.url("hs2"), "dave")];
    const [carol, dave] = [await start(carolSession), await start(daveSession)];
    await carol.client.sendToDevice("org.example.ping", new Map([[daveSession.userId, new Map([["*", { from: "carol" }]])]]));
    await dave.client.queueToDevice({ eventType: "org.example.pong", batch: [{ userId: carolSession.userId, deviceId: carolSession.deviceId, payload: { from: "dave" } }] });
    await until(() => dave.received.length >= 1 && carol.received.length >= 1, "both SDKs to receive over federation");
    expect(dave.received).toEqual([{ type: "org.example.ping", sender: carolSession.userId, content: { from: "carol" } }]);
    expect(carol.received).toEqual([{ type: "org.example.pong", sender: daveSession.userId, content: { from: "dave" } }]);
  });

  test("a room message sent through the SDK is pushed to the gateway's provider (PUSH-1, PUSH-2, GW-12)", async () => {
    const [erinSession, frankSession] = [await register(fed.url("hs1"), "erin"), await register(fed.url("hs1"), "frank")];
    const [erin, frank] = [await start(erinSession), await start(frankSession)];
    const { room_id: roomId } = await erin.client.createRoom({ invite: [frankSession.userId] });
    must(await frankSession.join(roomId));
    await erin.client.setPusher({
      kind: "http",
      app_id: "org.courier.sandbox.fcm",
      pushkey: "sdk-erin",
      app_display_name: "SDK test",
      device_display_name: "node",
      lang: "en",
      data: { url: `${gateway.url}/_matrix/push/v1/notify` },
    });
    const { event_id: eventId } = await frank.client.sendMessage(roomId, { msgtype: MsgType.Text, body: "hello from the SDK" });
    await until(() => gateway.runtime.deliveries.list({ pushkey: "sdk-erin" }).some((d) => d.event_id === eventId), "the push delivery");
    expect(gateway.runtime.deliveries.list({ pushkey: "sdk-erin" }).map((d) => d.event_id)).toEqual([eventId]);
  });
});
