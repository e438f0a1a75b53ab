/**
 * `courier check` as a function: set up what the chosen suites need (HTTP drivers, users, the
 * recording gateway, the federation tap, an in-process reference gateway for comparisons), run
 * every property with the runner, tear everything down, and return one report. The CLI
 * (`src/cli/check-command.ts`) parses flags into `CheckOptions` and prints the report; tests
 * call this directly.
 */
import { sandboxConfig } from "../gateway/index.ts";
import { startGatewayServer } from "../gateway-server/server.ts";
import { type AccountSource, openRegistration, sharedSecretRegistration, tokenFile } from "./accounts.ts";
import { httpDriver } from "./drivers/http.ts";
import { FederationTap } from "./federation/tap.ts";
import { courierDeliveries, type GatewayTarget, gatewayContext, webhookDeliveries } from "./gateway/target.ts";
import { RecordingGateway } from "./push/recorder.ts";
import { checkProperty, type PropertyResult, type SuiteName } from "./runner.ts";
import { type AnyProperty, federationSuite, gatewaySuite, type HomeserverTarget, pushSuite, toDeviceSuite } from "./suites.ts";
import { Transcript } from "./transcript.ts";

export const SUITES: readonly SuiteName[] = ["todevice", "federation", "push", "gateway"];

export type AccountsChoice =
  | { readonly kind: "registration" }
  | { readonly kind: "shared-secret"; readonly secret: string }
  | { readonly kind: "tokens"; readonly file: string; readonly secondFile?: string };

export interface CheckOptions {
  readonly homeserver?: string;
  readonly secondHomeserver?: string;
  readonly gateway?: string;
  /** Suites to run; default: every suite whose targets were given. */
  readonly suites?: readonly SuiteName[];
  /** Runs per property; default: each property's own count. */
  readonly runs?: number;
  readonly seed: number;
  readonly shrinkMs: number;
  readonly compare: boolean;
  readonly accounts: AccountsChoice;
  readonly syncLimit: number;
  readonly policyCases: boolean;
  readonly recorder: { readonly host: string; readonly port: number; readonly publicUrl?: string; readonly hangMs: number };
  readonly pushWaitMs: number;
  readonly minBackoffMs: number;
  readonly federationTap?: { readonly host: string; readonly port: number } | FederationTap;
  readonly federationWaitMs: number;
  readonly gatewayAppId: string;
  readonly gatewayWebhookAppId?: string;
  readonly onProgress?: (event: ProgressEvent) => void;
}

export type ProgressEvent =
  | { readonly kind: "start"; readonly id: string; readonly total: number }
  | { readonly kind: "run"; readonly id: string; readonly done: number; readonly total: number; readonly phase: "run" | "shrink" }
  | { readonly kind: "end"; readonly result: PropertyResult };

export interface CheckReport {
  readonly seed: number;
  readonly ms: number;
  readonly ok: boolean;
  readonly results: readonly PropertyResult[];
  readonly skipped: readonly { readonly suite: SuiteName; readonly reason: string }[];
}

function accountSource(choice: AccountsChoice, second = false): AccountSource {
  if (choice.kind === "registration") return openRegistration();
  if (choice.kind === "shared-secret") return sharedSecretRegistration(choice.secret);
  return tokenFile(second ? (choice.secondFile ?? choice.file) : choice.file);
}

interface Resources {
  readonly properties: AnyProperty[];
  readonly skipped: { suite: SuiteName; reason: string }[];
  readonly closers: (() => Promise<void>)[];
}

async function gatewayTargets(options: CheckOptions, url: string, recorder: () => Promise<RecordingGateway>, r: Resources): Promise<{ target: GatewayTarget; reference: GatewayTarget | null }> {
  const context = gatewayContext(url, new Transcript());
  const webhook = options.gatewayWebhookAppId;
  const deliveries = webhook !== undefined ? webhookDeliveries(await recorder()) : await courierDeliveries(context);
  if (deliveries === null) r.skipped.push({ suite: "gateway", reason: "gateway.dedupe not run: no way to see provider deliveries (no /_courier/deliveries; give --gateway-webhook-app-id)" });
  const target: GatewayTarget = { label: url, context, appId: webhook ?? options.gatewayAppId, deliveries };
  if (!options.compare) return { target, reference: null };
  const server = await startGatewayServer({ host: "127.0.0.1", port: 0, config: sandboxConfig, cleanupIntervalMs: 3_600_000 });
  r.closers.push(() => server.close());
  const refContext = gatewayContext(server.url, new Transcript());
  return { target, reference: { label: "reference", context: refContext, appId: "org.courier.sandbox.apns", deliveries: await courierDeliveries(refContext) } };
}

async function prepare(options: CheckOptions): Promise<Resources> {
  const r: Resources = { properties: [], skipped: [], closers: [] };
  const wanted = options.suites ?? SUITES.filter((s) => (s === "gateway" ? options.gateway : s === "federation" ? options.secondHomeserver : options.homeserver) !== undefined);
  let recorder: RecordingGateway | null = null;
  const recorderOnce = async () => {
    if (recorder !== null) return recorder;
    const made = new RecordingGateway(options.recorder.hangMs);
    await made.listen(options.recorder.host, options.recorder.port, options.recorder.publicUrl);
    r.closers.push(() => made.close());
    recorder = made;
    return made;
  };
  const hs = (url: string, second = false): HomeserverTarget => ({ driver: httpDriver(url), accounts: accountSource(options.accounts, second) });
  const first = options.homeserver === undefined ? null : hs(options.homeserver);
  for (const suite of wanted) {
    if (suite === "gateway") {
      if (options.gateway === undefined) r.skipped.push({ suite, reason: "no --gateway" });
      else r.properties.push(...gatewaySuite(await gatewayTargets(options, options.gateway, recorderOnce, r)));
      continue;
    }
    if (first === null) {
      r.skipped.push({ suite, reason: "no --homeserver" });
      continue;
    }
    if (suite === "todevice") r.properties.push(...toDeviceSuite(first, { syncLimit: options.syncLimit, policyCases: options.policyCases }));
    if (suite === "push") r.properties.push(...pushSuite(first, { recorder: await recorderOnce(), waitMs: options.pushWaitMs, minBackoffMs: options.minBackoffMs }));
    if (suite === "federation") {
      if (options.secondHomeserver === undefined) {
        r.skipped.push({ suite, reason: "no --second-homeserver" });
        continue;
      }
      const tap = await federationTap(options, options.secondHomeserver, r);
      r.properties.push(...federationSuite(first, hs(options.secondHomeserver, true), { tap, deliveryWaitMs: options.federationWaitMs }));
    }
  }
  return r;
}

async function federationTap(options: CheckOptions, upstream: string, r: Resources): Promise<FederationTap | null> {
  const given = options.federationTap;
  if (given === undefined) return null;
  if (given instanceof FederationTap) return given;
  const tap = new FederationTap(upstream);
  await tap.listen(given.host, given.port);
  r.closers.push(() => tap.close());
  return tap;
}

export async function runCheck(options: CheckOptions): Promise<CheckReport> {
  const started = Date.now();
  const resources = await prepare(options);
  const results: PropertyResult[] = [];
  try {
    for (const property of resources.properties) {
      const total = options.runs ?? property.runs;
      options.onProgress?.({ kind: "start", id: property.id, total });
      const result = await checkProperty(property, {
        ...(options.runs === undefined ? {} : { runs: options.runs }),
        seed: options.seed,
        shrinkMs: options.shrinkMs,
        compare: options.compare,
        onRun: (done, all, phase) => options.onProgress?.({ kind: "run", id: property.id, done, total: all, phase }),
      });
      results.push(result);
      options.onProgress?.({ kind: "end", result });
    }
  } finally {
    for (const close of resources.closers.reverse()) await close();
  }
  const ok = results.every((r) => r.status === "passed" && r.findings.length === 0);
  return { seed: options.seed, ms: Date.now() - started, ok, results, skipped: resources.skipped };
}
