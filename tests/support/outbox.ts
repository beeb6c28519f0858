import { randomInt } from 'node:crypto';
import type request from 'supertest';
import { eventually } from './maxtera.js';

/** The sandbox outbox as tests read it: the one-time codes sent to a phone number or an email address. */

/** A client address of its own, so one test's code requests never count against another's limit. */
export const newClient = () => `100.${randomInt(64, 128)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;

const codeIn = (text: string | undefined) => /\b(\d{6})\b/.exec(text ?? '')?.[1];

/** The newest 6-digit code sent to `to`, once it is there and is not one of `notOneOf` (mail is parsed a moment after sending). */
export async function latestCode(api: () => request.Agent, to: string, notOneOf: string[] = []): Promise<string> {
  const res = await eventually(
    () => api().get('/sandbox/outbox').query({ to }),
    (r) => {
      const code = codeIn(r.body.messages?.[0]?.body);
      return code !== undefined && !notOneOf.includes(code);
    },
  );
  return codeIn(res.body.messages[0].body)!;
}

/** Every code sent to `to` so far, newest first. */
export async function codesSentTo(api: () => request.Agent, to: string): Promise<string[]> {
  const res = await api().get('/sandbox/outbox').query({ to });
  return (res.body.messages ?? []).map((m: { body: string }) => codeIn(m.body)).filter(Boolean);
}
