/**
 * Device lifecycle: delete a device (its messages are no longer owed: the history exempts it,
 * and a device later re-created with the same id is a new device that must not receive them,
 * TD-26), and log in, either naming a live device (same device, new token, TD-42) or creating
 * one. Users from a token file keep their devices: both are no-ops for them.
 */
import type fc from "fast-check";
import { describeAnswer, sessionOf } from "../driver.ts";
import { Violation } from "../violation.ts";
import { addLoop, type Model, pick, sessionOfLoop, type World } from "./world.ts";

export class DeleteDeviceCommand implements fc.AsyncCommand<Model, World> {
  constructor(readonly device: number) {}

  check(): boolean {
    return true;
  }

  async run(_model: Model, world: World): Promise<void> {
    world.trace.step(this.toString());
    const loop = pick(world.live, this.device);
    if (loop === undefined || !world.manageDevices) return;
    const password = world.passwords.get(loop.userId) ?? null;
    const answer = await world.s.waitFor(world.driver.deleteDevice(sessionOfLoop(loop), loop.deviceId, password));
    if (answer.status !== 200) throw new Violation([], `deleting device ${loop.deviceId} failed: ${describeAnswer(answer)}`);
    world.live = world.live.filter((l) => l !== loop);
    world.exempt.add(loop.key);
  }

  toString(): string {
    return `DeleteDevice(${this.device})`;
  }
}

export class LoginCommand implements fc.AsyncCommand<Model, World> {
  constructor(
    readonly user: number,
    readonly device: number,
  ) {}

  check(): boolean {
    return true;
  }

  async run(_model: Model, world: World): Promise<void> {
    world.trace.step(this.toString());
    const userId = pick(world.users, this.user);
    const deviceId = pick(world.deviceNames, this.device);
    const password = userId === undefined ? null : (world.passwords.get(userId) ?? null);
    if (userId === undefined || deviceId === undefined || password === null || !world.manageDevices) return;
    // TD-26 is a policy: whether a re-created device id sees the old inbox is not held against a target.
    const deleted = (world.incarnations.get(`${userId}|${deviceId}`) ?? 0) > 0 && !world.live.some((l) => l.userId === userId && l.deviceId === deviceId);
    if (deleted && !world.policyCases) return;
    const answer = await world.s.waitFor(world.driver.login({ user: userId, password, deviceId }));
    const session = sessionOf(answer);
    // TD-42: naming a device id at login keeps that device.
    if (session === null || session.deviceId !== deviceId) throw new Violation(["TD-42"], `login naming device ${deviceId} answered ${describeAnswer(answer)}`);
    const existing = world.live.find((l) => l.userId === userId && l.deviceId === deviceId);
    if (existing !== undefined) existing.token = session.accessToken;
    else addLoop(world, session);
  }

  toString(): string {
    return `Login(${this.user}, ${this.device})`;
  }
}
