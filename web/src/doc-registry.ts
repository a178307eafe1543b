import { z } from 'zod';

/**
 * Where the response shapes register the name they get in the OpenAPI document's
 * `components.schemas` (schemas.ts, health-doc.ts); a file of its own so both can import it.
 */
export const docSchemas = z.registry<{ id: string }>();
