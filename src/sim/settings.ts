/**
 * Text settings for simulations: fault rates (`loss=0.1,dup=0.05,crash=0.001`); policies are
 * read by `src/policy-settings.ts`, shared with `courier serve homeserver`.
 */
import { type FaultRates, NO_FAULTS } from "./scenario.ts";

export { parsePolicies, POLICY_NAMES } from "../policy-settings.ts";

const FAULT_NAMES: Record<string, keyof FaultRates> = {
  loss: "loss",
  dup: "dup",
  reorder: "reorder",
  partition: "partition",
  crash: "crash",
  gatewayError: "gatewayError",
  gw5xx: "gatewayError",
  gatewayRestart: "gatewayRestart",
  gwrestart: "gatewayRestart",
};

/** `loss=0.1,dup=0.05,…`; unnamed rates are 0. Throws a RangeError naming what is wrong. */
export function parseFaults(spec: string): FaultRates {
  const rates: Record<keyof FaultRates, number> = { ...NO_FAULTS };
  for (const part of spec.split(",").map((p) => p.trim()).filter((p) => p !== "" && p !== "none")) {
    const [name = "", value = ""] = part.split("=", 2);
    const key = FAULT_NAMES[name];
    if (key === undefined) throw new RangeError(`unknown fault ${JSON.stringify(name)}; expected one of ${Object.keys(FAULT_NAMES).join(", ")}`);
    const p = Number(value);
    if (value === "" || !Number.isFinite(p) || p < 0 || p > 1) throw new RangeError(`fault ${name} needs a probability from 0 to 1, not ${JSON.stringify(value)}`);
    rates[key] = p;
  }
  return rates;
}

export function faultsText(rates: FaultRates): string {
  const set = (Object.entries(rates) as [string, number][]).filter(([, p]) => p > 0);
  return set.length === 0 ? "none" : set.map(([name, p]) => `${name}=${p}`).join(",");
}
