import { z } from 'zod';

/*
 * The API's named schemas. Each domain's schema module (lib/<domain>/schemas.ts) names its request
 * bodies and answers here as it defines them; the OpenAPI document (lib/api/openapi.ts) turns each
 * into a reusable entry under components.schemas. Plain zod, no 'server-only': client components
 * import the types inferred from the same modules.
 */

export interface SchemaMeta {
  /** The schema's name in the OpenAPI document. */
  id: string;
  description?: string;
}

/** Request bodies, documented as clients send them (zod's input side). */
export const requestRegistry = z.registry<SchemaMeta>();

/** Answers, documented as the server sends them (zod's output side). */
export const responseRegistry = z.registry<SchemaMeta>();

/** Names a request body schema and returns it. */
export function requestSchema<T extends z.ZodType>(id: string, schema: T): T {
  requestRegistry.add(schema, { id });
  return schema;
}

/** Names a response schema and returns it. */
export function responseSchema<T extends z.ZodType>(id: string, schema: T, description?: string): T {
  responseRegistry.add(schema, { id, ...(description ? { description } : {}) });
  return schema;
}
