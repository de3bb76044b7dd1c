/** What the admin's client components need from an API answer: data, or messages per field. */
export interface ApiResult<T> {
  ok: boolean;
  status: number;
  data: T;
  /** Field errors by field name, plus `form` for a problem that belongs to no field. */
  errors: Record<string, string>;
}

/** Calls the JSON API as any client would; problem+json answers become field errors. */
export async function callApi<T = unknown>(method: string, url: string, body?: unknown): Promise<ApiResult<T>> {
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: body === undefined ? { Accept: 'application/json' } : { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    return {
      ok: false,
      status: 0,
      data: undefined as T,
      errors: { form: 'Could not reach the server. Check your connection and try again.' },
    };
  }
  const data = response.status === 204 ? undefined : await response.json().catch(() => undefined);
  if (response.ok) return { ok: true, status: response.status, data: data as T, errors: {} };
  const errors: Record<string, string> = {};
  for (const { field, message } of (data?.errors ?? []) as { field: string; message: string }[]) errors[field || 'form'] ??= message;
  if (Object.keys(errors).length === 0) errors.form = data?.detail ?? `The request failed (${response.status}).`;
  return { ok: false, status: response.status, data: data as T, errors };
}
