/**
 * Device lifecycle: delete a device (its messages are no longer owed: the history exempts it,
 * and a device later re-created with the same id is a new device that must not receive them,
 * TD-26), and log in, either naming a live device (same device, new token, TD-42) or creating
 * one.
 */
import type fc from "fast-check";
import { expect } from "vitest";
import type { DeviceId } from "../../../src/ids.ts";
import { pick } from "./send.command.ts";
import { addLoop, DEVICE_NAMES, freshToken, type Model, USERS, type World } from "./world.ts";

export class DeleteDeviceCommand implements fc.AsyncCommand<Model, World> {
  constructor(readonly device: number) {}

  check(): boolean {
    return true;
  }

  async run(_model: Model, world: World): Promise<void> {
    const loop = pick(world.live, this.device);
    if (loop === undefined) return;
    const cmd = { type: "deleteDevice", token: loop.token, deviceId: loop.deviceId } as const;
    expect(await world.s.waitFor(world.driver.request(cmd))).toEqual({ ok: true });
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
    const userId = pick(USERS, this.user);
    const deviceId = pick(DEVICE_NAMES, this.device) as DeviceId;
    if (userId === undefined) return;
    const token = freshToken(world);
    const cmd = { type: "login", user: userId, password: "pw", deviceId, accessToken: token } as const;
    expect(await world.s.waitFor(world.driver.request(cmd))).toMatchObject({ ok: true, deviceId });
    const existing = world.live.find((l) => l.userId === userId && l.deviceId === deviceId);
    if (existing !== undefined) existing.token = token;
    else addLoop(world, userId, deviceId, token);
  }

  toString(): string {
    return `Login(${this.user}, ${this.device})`;
  }
}
