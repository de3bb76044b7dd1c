import { z } from 'zod';
import { requestSchema, responseSchema } from '@/lib/schema/registry';
import { dateTime, textField } from '@/lib/schema/fields';

/*
 * Sign-in, the first account, sessions and API tokens: what the API accepts and answers, and the
 * types the rest of the code takes from them.
 */

export const PASSWORD_MIN_LENGTH = 12;

/** Longest an API token can be set to live: ten years. */
export const API_TOKEN_MAX_DAYS = 3650;

/* Requests. */

const email = z
  .string({ error: 'Email must be text.' })
  .trim()
  .max(254, 'Email must be at most 254 characters.')
  .pipe(z.email('Enter an email address such as ada@example.com.'));

/** A password being set, at setup or in a change: the one rule for both. */
const newPassword = (label: string) =>
  z
    .string({ error: `${label} is required.` })
    .min(PASSWORD_MIN_LENGTH, `${label} must be at least ${PASSWORD_MIN_LENGTH} characters.`)
    .max(1024, `${label} must be at most 1,024 characters.`);

export const signInSchema = requestSchema(
  'SignIn',
  z.strictObject({
    email: z.string({ error: 'Email is required.' }).trim().min(1, 'Email is required.').max(254),
    password: z.string({ error: 'Password is required.' }).min(1, 'Password is required.').max(1024),
    next: z.string().optional(),
  }),
);

export const setupSchema = requestSchema(
  'Setup',
  z.strictObject({
    setupToken: z.string({ error: 'Setup token is required.' }).trim().min(1, 'Setup token is required.').max(200),
    name: textField('Name', 80),
    email,
    password: newPassword('Password'),
  }),
);

export const passwordChangeSchema = requestSchema(
  'PasswordChange',
  z
    .strictObject({
      currentPassword: z.string({ error: 'Current password is required.' }).min(1, 'Current password is required.').max(1024),
      newPassword: newPassword('New password'),
    })
    // Most likely a slip (the two fields swapped, or the old one typed twice); it would change nothing.
    .refine((body) => body.newPassword !== body.currentPassword, {
      path: ['newPassword'],
      message: 'The new password must differ from the current one.',
    }),
);

export const apiTokenCreateSchema = requestSchema(
  'ApiTokenCreate',
  z.strictObject({
    name: textField('Name', 80),
    /** Days until the token stops working; absent or null for a token that does not expire. */
    expiresInDays: z.preprocess(
      (value) => (value === '' ? null : value),
      z.coerce
        .number({ error: 'expiresInDays must be a number of days.' })
        .int('expiresInDays must be a whole number of days.')
        .min(1, 'expiresInDays must be at least 1.')
        .max(API_TOKEN_MAX_DAYS, `expiresInDays must be at most ${API_TOKEN_MAX_DAYS}.`)
        .nullish(),
    ),
  }),
);

/* Responses. */

/** What the rest of the app knows about a signed-in author: never the password hash. */
export const userSchema = responseSchema('User', z.object({ id: z.number().int(), email: z.string(), name: z.string() }));

/** An API token as listed: never the secret. */
export const apiTokenSchema = responseSchema(
  'ApiToken',
  z.object({
    id: z.number().int(),
    name: z.string(),
    prefix: z.string(),
    createdAt: dateTime,
    lastUsedAt: dateTime.nullable(),
    expiresAt: dateTime.nullable().describe('After this the token no longer works; null when it never expires'),
  }),
);

export const sessionSchema = responseSchema(
  'Session',
  z.object({ user: userSchema.nullable(), via: z.enum(['bootstrap', 'token', 'session']) }),
);
export const signedInSchema = responseSchema('SignedIn', z.object({ user: userSchema }));
export const sessionsEndedSchema = responseSchema(
  'SessionsEnded',
  z.object({ ended: z.number().int().describe('How many other sessions were ended') }),
);
export const apiTokenListSchema = responseSchema('ApiTokenList', z.object({ data: z.array(apiTokenSchema) }));
export const createdApiTokenSchema = responseSchema(
  'CreatedApiToken',
  apiTokenSchema.extend({ token: z.string().describe('Shown this once') }),
);

export type SignInInput = z.output<typeof signInSchema>;
export type SetupInput = z.output<typeof setupSchema>;
export type PasswordChangeInput = z.output<typeof passwordChangeSchema>;
export type SessionsEnded = z.output<typeof sessionsEndedSchema>;
export type ApiTokenCreateInput = z.output<typeof apiTokenCreateSchema>;
export type AuthUser = z.output<typeof userSchema>;
export type ApiToken = z.output<typeof apiTokenSchema>;
export type CreatedApiToken = z.output<typeof createdApiTokenSchema>;
export type SessionInfo = z.output<typeof sessionSchema>;
