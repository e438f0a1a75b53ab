// Checks the recording push gateway over real sockets: each scripted reply is answered as named
// (200 with an empty or a naming `rejected`, 500, a body that is not JSON, a dropped connection),
// the script is consumed one entry per attempt and then answers `ok`, and every POST is
// recorded with its pushkey and event id. Assumes loopback networking.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { identify, RecordingGateway } from "../../src/check/push/recorder.ts";

const body = (pushkey: string, eventId: string) => ({ notification: { event_id: eventId, devices: [{ app_id: "a", pushkey }] } });

describe("RecordingGateway", () => {
  const recorder = new RecordingGateway(100);
  beforeAll(() => recorder.listen());
  afterAll(() => recorder.close());

  const post = async (pushkey: string, eventId: string) => {
    const r = await fetch(`${recorder.url}/_matrix/push/v1/notify`, { method: "POST", body: JSON.stringify(body(pushkey, eventId)) });
    return { status: r.status, text: await r.text() };
  };

  test("answers each attempt from the script, then ok", async () => {
    recorder.script("k", ["5xx", "not-json", "reject", "reject-other"]);
    expect(await post("k", "$1")).toMatchObject({ status: 500 });
    expect(await post("k", "$1")).toEqual({ status: 200, text: "<html>not json</html>" });
    expect(JSON.parse((await post("k", "$1")).text)).toEqual({ rejected: ["k"] });
    expect(JSON.parse((await post("k", "$2")).text)).toEqual({ rejected: ["k-not-yours"] });
    expect(JSON.parse((await post("k", "$3")).text)).toEqual({ rejected: [] });
    expect(recorder.pushesFor("k").map((p) => [p.eventId, p.reply])).toEqual([
      ["$1", "5xx"],
      ["$1", "not-json"],
      ["$1", "reject"],
      ["$2", "reject-other"],
      ["$3", "ok"],
    ]);
  });

  test("a timeout drops the connection after the hang time, without an answer", async () => {
    recorder.script("slow", ["timeout"]);
    const started = Date.now();
    await expect(post("slow", "$4")).rejects.toThrow();
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    const [push] = recorder.pushesFor("slow");
    expect(push?.settledAt).toBe((push?.at ?? 0) + 100);
  });

  test("identify reads a notify body and a bare provider payload alike", () => {
    expect(identify(body("p", "$e"))).toEqual({ pushkey: "p", eventId: "$e" });
    expect(identify(body("p", "$e").notification)).toEqual({ pushkey: "p", eventId: "$e" });
    expect(identify("nonsense")).toEqual({ pushkey: null, eventId: null });
  });
});
