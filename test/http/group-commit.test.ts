// The durable homeserver's group commit: commands applied in one turn of the event loop are
// written in one SQLite transaction at the end of the turn, and nothing of them leaves the
// process before that (effects such as long-poll wake-ups, and every HTTP answer). A journal
// that cannot be written stops the runtime: the pending answers fail, later commands are
// refused, and `onFatal` is told. Compaction: a snapshot once the journal outgrows the last one,
// and a restart recovers snapshot plus journal. Assumes a runtime on a temporary data directory.
import { rmSync } from "node:fs";
import { afterEach, describe, expect, test, vi } from "vitest";
import type { AccessToken, DeviceId, ServerName, TxnId, UserId } from "../../src/ids.ts";
import { HomeserverRuntime } from "../../src/homeserver-server/runtime.ts";
import { homeserverApp, serveHomeserver } from "../../src/homeserver-server/server.ts";
import { Journal } from "../../src/store/journal.ts";
import { register } from "../support/http-client.ts";
import { tempDir } from "../support/http-servers.ts";

const dirs: string[] = [];
const runtimes: HomeserverRuntime[] = [];

afterEach(() => {
  for (const rt of runtimes.splice(0)) rt.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function open(onFatal?: (error: Error) => void, compactFloorBytes?: number, dir = tempDir("courier-commit-")): { rt: HomeserverRuntime; dir: string } {
  if (!dirs.includes(dir)) dirs.push(dir);
  const rt = HomeserverRuntime.open({
    serverName: "hs.test" as ServerName,
    dataDir: dir,
    peers: new Map(),
    log: () => {},
    ...(onFatal === undefined ? {} : { onFatal }),
    ...(compactFloorBytes === undefined ? {} : { compactFloorBytes }),
  });
  runtimes.push(rt);
  return { rt, dir };
}

/** The runtime's own journal (private: reached here only to watch or break its writes). */
function journalOf(rt: HomeserverRuntime): Journal {
  return (rt as unknown as { journal: Journal }).journal;
}

/** What another reader of the database sees committed after its snapshot. */
function committedCommands(dir: string): { type: string; txnId?: string }[] {
  const reader = new Journal({ dir, file: "homeserver.sqlite" });
  try {
    return [...reader.entriesAfter(0)].map((e) => e.command as { type: string; txnId?: string });
  } finally {
    reader.close();
  }
}

function committed(dir: string): number {
  return committedCommands(dir).length;
}

function account(rt: HomeserverRuntime, name: string): { userId: UserId; deviceId: DeviceId; token: AccessToken } {
  const token = `tok-${name}` as AccessToken;
  const deviceId = `DEV${name.toUpperCase()}` as DeviceId;
  const outcome = rt.run({ type: "register", username: name, deviceId, accessToken: token });
  if (!outcome.ok) throw new Error(`register ${name}: ${outcome.error.message}`);
  return { userId: outcome.userId, deviceId, token };
}

function send(rt: HomeserverRuntime, from: AccessToken, to: { userId: UserId; deviceId: DeviceId }, txn: string) {
  return rt.run({ type: "sendToDevice", token: from, eventType: "m.test", txnId: txn as TxnId, body: { messages: { [to.userId]: { [to.deviceId]: { txn } } } } });
}

describe("group commit", () => {
  test("commands of one turn are committed together at its end, and a wake-up waits for the commit", async () => {
    const { rt, dir } = open();
    const alice = account(rt, "alice");
    const bob = account(rt, "bob");
    await rt.durable();
    expect(committed(dir)).toBe(2);

    let woken = false;
    const waiting = rt.waiters.wait(bob.userId, bob.deviceId, 10_000).then(() => {
      woken = true;
    });
    const commits = vi.spyOn(journalOf(rt), "appendBatch");
    for (let n = 0; n < 5; n++) expect(send(rt, alice.token, bob, `t${n}`).ok).toBe(true);
    // Applied (a sync of this turn sees them), but not yet written, and nobody woken.
    expect(committed(dir)).toBe(2);
    await Promise.resolve();
    expect(woken).toBe(false);

    await rt.durable();
    expect(committed(dir)).toBe(7);
    expect(commits).toHaveBeenCalledTimes(1);
    expect(commits.mock.calls[0]?.[0]).toHaveLength(5);
    await waiting;
    expect(woken).toBe(true);
  });

  test("read-only commands are not journaled, and with nothing pending durable() is at once", async () => {
    const { rt, dir } = open();
    const alice = account(rt, "alice");
    await rt.durable();
    const commits = vi.spyOn(journalOf(rt), "appendBatch");
    expect(rt.run({ type: "whoami", token: alice.token }).ok).toBe(true);
    await rt.durable();
    expect(commits).not.toHaveBeenCalled();
    expect(committed(dir)).toBe(1);
  });

  test("closing writes what is pending; a restart recovers it", async () => {
    const { rt, dir } = open();
    const alice = account(rt, "alice");
    const bob = account(rt, "bob");
    expect(send(rt, alice.token, bob, "before-close").ok).toBe(true);
    rt.close();
    runtimes.splice(runtimes.indexOf(rt), 1);
    expect(committed(dir)).toBe(3);

    const again = open(undefined, undefined, dir).rt;
    const sync = again.run({ type: "sync", token: bob.token });
    if (!sync.ok) throw new Error(sync.error.message);
    expect(sync.toDevice.map((e) => e.content)).toEqual([{ txn: "before-close" }]);
  });

  test("a journal that cannot be written fails the pending answers, refuses later commands and calls onFatal", async () => {
    const fatal: Error[] = [];
    const { rt } = open((e) => fatal.push(e));
    const alice = account(rt, "alice");
    await rt.durable();
    (journalOf(rt)).close();
    account(rt, "bob");
    await expect(rt.durable()).rejects.toThrow(/not open/);
    expect(fatal).toHaveLength(1);
    expect(() => rt.run({ type: "whoami", token: alice.token })).toThrow(/not open/);
    runtimes.splice(runtimes.indexOf(rt), 1);
  });

  test("over HTTP, no answer leaves the app before its command is durable", async () => {
    const { rt, dir } = open();
    runtimes.splice(runtimes.indexOf(rt), 1);
    const app = homeserverApp(rt, { registration: true, peers: new Map() });
    // At the moment the app hands an answer to the socket, its send must be on disk already.
    const answeredTxns: string[] = [];
    const notYetDurable: string[] = [];
    const watched: typeof app = async (request) => {
      const response = await app(request);
      const txn = /\/sendToDevice\/[^/]+\/([^/]+)$/.exec(request.path)?.[1];
      if (txn !== undefined) {
        answeredTxns.push(txn);
        if (!committedCommands(dir).some((c) => c.txnId === txn)) notYetDurable.push(txn);
      }
      return response;
    };
    const server = await serveHomeserver(rt, watched, { host: "127.0.0.1", port: 0, bodyLimitBytes: 1 << 20, log: () => {} });
    try {
      const alice = await register(server.url, "alice");
      const bob = await register(server.url, "bob");
      const answers = await Promise.all(Array.from({ length: 40 }, (_, n) => alice.sendToDevice("m.test", `h${n}`, { [bob.userId]: { [bob.deviceId]: { n } } })));
      expect(answers.map((a) => a.status)).toEqual(Array(40).fill(200));
      expect(answeredTxns).toHaveLength(40);
      expect(notYetDurable).toEqual([]);
      expect(committed(dir)).toBe(42);
    } finally {
      await server.close();
    }
  });
});

describe("compaction", () => {
  test("a snapshot is written once the journal outgrows the last one, and a restart recovers snapshot plus journal", async () => {
    const { rt, dir } = open(undefined, 2_000);
    const alice = account(rt, "alice");
    const bob = account(rt, "bob");
    await rt.durable();
    const snapshotSeq = () => {
      const reader = new Journal({ dir, file: "homeserver.sqlite" });
      try {
        return reader.snapshot()?.seq ?? 0;
      } finally {
        reader.close();
      }
    };
    expect(snapshotSeq()).toBe(0);
    const seqs: number[] = [];
    for (let n = 0; n < 60; n++) {
      expect(send(rt, alice.token, bob, `c${n}`).ok).toBe(true);
      await rt.durable();
      seqs.push(snapshotSeq());
    }
    // Compacted at least twice (the floor, then the snapshot's size), never on every command.
    const snapshots = new Set(seqs.filter((q) => q > 0));
    expect(snapshots.size).toBeGreaterThanOrEqual(2);
    expect(snapshots.size).toBeLessThan(30);
    expect(committed(dir)).toBeLessThan(62);
    rt.close();
    runtimes.splice(runtimes.indexOf(rt), 1);

    const again = open(undefined, 2_000, dir).rt;
    const sync = again.run({ type: "sync", token: bob.token });
    if (!sync.ok) throw new Error(sync.error.message);
    expect(sync.toDevice.map((e) => e.content)).toEqual(Array.from({ length: 60 }, (_, n) => ({ txn: `c${n}` })));
  });
});
