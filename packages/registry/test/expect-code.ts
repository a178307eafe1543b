import { expect } from 'vitest';
import type { RegistryErrorCode } from '../src/index.ts';

/** Rejects with a RegistryError of this code. */
export async function expectCode(p: Promise<unknown>, code: RegistryErrorCode): Promise<void> {
  await expect(p).rejects.toMatchObject({ name: 'RegistryError', code });
}
