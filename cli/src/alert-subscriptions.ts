import type { Subscription } from '@airbox/alerts';
import type { Registry } from '@airbox/registry';
import { UsageError } from './io.ts';

/**
 * The subscription `airbox alerts test ID` sends to. Subscriptions are kept by the other half
 * of issue 16 (the registry's AlertStore and `toSubscription`), merged separately: until
 * then this says so instead of guessing one.
 */
export function subscriptionById(_registry: Registry, id: string): Promise<Subscription | null> {
  return Promise.reject(
    new UsageError(`subscription '${id}': this build keeps no alert subscriptions yet`),
  );
}
