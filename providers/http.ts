import { ProviderOutcomeUnknownError } from './types.js';

export interface ProviderReply {
  httpStatus: number;
  /** The parsed JSON body; undefined when the body is empty or not JSON. */
  body: unknown;
}

// 408 and 429 refuse nothing for good: the request may be repeated, so they count as "ask again".
const ANSWER_LATER = new Set([408, 429]);

/**
 * POSTs a JSON request to a provider. Whenever the provider may have acted without us seeing a
 * usable answer (timeout, dropped connection, 5xx), this throws ProviderOutcomeUnknownError.
 */
export async function postToProvider(
  provider: string,
  url: string,
  request: { headers: Record<string, string>; body: unknown; timeoutMs: number },
): Promise<ProviderReply> {
  return callProvider(provider, url, { method: 'POST', ...request });
}

/** GETs from a provider, reading failures as postToProvider does. */
export async function getFromProvider(
  provider: string,
  url: string,
  request: { headers: Record<string, string>; timeoutMs: number },
): Promise<ProviderReply> {
  return callProvider(provider, url, { method: 'GET', ...request });
}

async function callProvider(
  provider: string,
  url: string,
  request: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: unknown; timeoutMs: number },
): Promise<ProviderReply> {
  let response: Response;
  let text: string;
  // An OAuth token request is a form; everything else is JSON.
  const form = request.body instanceof URLSearchParams;
  try {
    response = await fetch(url, {
      method: request.method,
      headers: {
        ...(request.method === 'POST' ? { 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json' } : {}),
        accept: 'application/json',
        ...request.headers,
      },
      body: request.method === 'POST' ? (form ? String(request.body) : JSON.stringify(request.body)) : undefined,
      signal: AbortSignal.timeout(request.timeoutMs),
    });
    text = await response.text();
  } catch (error) {
    const reason = error instanceof Error && error.name === 'TimeoutError' ? `no answer within ${request.timeoutMs}ms` : 'connection failed';
    throw new ProviderOutcomeUnknownError(provider, `${provider} ${new URL(url).pathname}: ${reason}`, { cause: error });
  }
  if (response.status >= 500 || ANSWER_LATER.has(response.status)) {
    throw new ProviderOutcomeUnknownError(provider, `${provider} ${new URL(url).pathname}: HTTP ${response.status}`);
  }
  return { httpStatus: response.status, body: parseJson(text) };
}

export function withoutTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
