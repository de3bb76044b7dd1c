import { z } from 'zod';
import { responseSchema } from '@/lib/schema/registry';

/** The problem+json answer (RFC 9457) every error is; lib/http/responses.ts builds it. */
export const problemSchema = responseSchema(
  'Problem',
  z.object({
    type: z.string().describe('A URI naming the kind of problem, e.g. /problems/validation'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z
      .array(z.object({ field: z.string(), message: z.string() }))
      .optional()
      .describe('Each invalid field and why'),
  }),
  'RFC 9457 problem details',
);
