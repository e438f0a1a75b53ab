/** The provider for a configured app. */
import type { AppConfig } from "../config.ts";
import type { Provider } from "./provider.ts";
import { simulatedApns, simulatedFcm } from "./simulated.ts";
import { webhook } from "./webhook.ts";

export type { AttemptAnswer, DeliveryAttempt, Provider, ProviderOutcome, ProviderResult, ProviderType } from "./provider.ts";
export { outcomeFromPushkey } from "./simulated.ts";
export { settleWebhook } from "./webhook.ts";

export function providerFor(app: AppConfig): Provider {
  switch (app.type) {
    case "apns":
      return simulatedApns(app);
    case "fcm":
      return simulatedFcm(app);
    case "webhook":
      return webhook(app);
  }
}
