import { toSubscription, type Subscription } from '@airbox/alerts';
import type { Registry } from '@airbox/registry';
import { UsageError } from './io.ts';

/** The subscription `airbox alerts test ID` sends to, as the evaluator reads it. */
export async function subscriptionById(
  registry: Registry,
  id: string,
): Promise<Subscription | null> {
  const record = await registry.alerts.get(id);
  if (record === null) return null;
  const subscription = toSubscription(record);
  if (subscription === null) {
    throw new UsageError(`subscription '${id}' is stored in a shape this version cannot read`);
  }
  return subscription;
}
