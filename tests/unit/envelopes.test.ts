import { Writable } from 'node:stream';
import express from 'express';
import { pino } from 'pino';
import { pinoHttp } from 'pino-http';
import request from 'supertest';
import { z } from 'zod';
import { WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure, RetryState } from '@temporalio/common';
import { DomainError, FailureType, publicError, unauthenticated } from '../../core/errors.js';
import { describeError, platformEnvelope, surfaceErrorHandler, validationError, type ErrorEnvelope } from '../../api/errors.js';
import { parseRequest } from '../../api/validation.js';
import { chargegharEnvelope } from '../../api/surfaces/chargeghar/envelope.js';
import { genchargeEnvelope } from '../../api/surfaces/gencharge/envelope.js';
import { maxteraEnvelope } from '../../api/surfaces/maxtera/envelope.js';
import { mymoolahEnvelope } from '../../api/surfaces/mymoolah/envelope.js';
import { xcleraEnvelope } from '../../api/surfaces/xclera/envelope.js';

const Purchase = z.object({ amount: z.number().positive(), phone_number: z.string().regex(/^\d{10,11}$/, 'Enter a valid phone number.') });

/** What a request with a negative amount and no phone number throws. */
function invalidPurchase(): unknown {
  try {
    parseRequest(Purchase, { amount: -5 });
  } catch (err) {
    return err;
  }
  throw new Error('the schema accepted an invalid purchase');
}

/** A failure as the API sees it when an activity threw it inside a workflow. */
function workflowFailure(type: FailureType, message: string): WorkflowFailedError {
  const failure = ApplicationFailure.create({ type, message, nonRetryable: true });
  const activity = new ActivityFailure('activity failed', 'postHold', 'activity-1', RetryState.NON_RETRYABLE_FAILURE, 'worker-1', failure);
  return new WorkflowFailedError('Workflow execution failed', activity, RetryState.NON_RETRYABLE_FAILURE);
}

const render = (envelope: ErrorEnvelope, err: unknown) => envelope(describeError(err).description);

const notFoundInActivity = () => workflowFailure(FailureType.NotFound, 'ledger account 5 not found');
const insufficientFunds = () => new DomainError(FailureType.InsufficientFunds, 'insufficient funds', { accountId: '5' });
const rateLimited = () => new DomainError(FailureType.RateLimited, 'auth limit of 10/min reached for 127.0.0.1');
const unknownError = () => new Error('connect ECONNREFUSED 10.0.0.5:5432 (ledger account 5)');

/** Text of ours that must never reach a client, whichever surface answers. */
const INTERNAL_FAILURES: Array<[string, () => unknown, RegExp]> = [
  ['an activity not-found', notFoundInActivity, /ledger account/],
  ['a posted hold', () => workflowFailure(FailureType.HoldNotPending, 'hold 12 is posted'), /hold 12/],
  ['a provider transport error', () => workflowFailure(FailureType.ProviderUnavailable, 'socket hang up (vtpass.internal:443)'), /socket|vtpass/],
  ['a workflow failing without a type', () => workflowFailure('SomethingElse' as FailureType, 'TypeError: x is undefined'), /TypeError/],
  ['an untyped error', unknownError, /ECONNREFUSED|10\.0\.0\.5/],
  ['insufficient funds with an account id', insufficientFunds, /accountId|insufficient funds/],
  ['an in-process conflict', () => new DomainError(FailureType.Conflict, 'account 7 is in USD, not NGN'), /account 7|USD/],
  ['an unbalanced entry', () => new DomainError(FailureType.UnbalancedEntry, 'debits 100 do not equal credits 90'), /debits/],
];

const ENVELOPES: Array<[string, ErrorEnvelope]> = [
  ['maxtera', maxteraEnvelope],
  ['gencharge', genchargeEnvelope],
  ['mymoolah', mymoolahEnvelope],
  ['chargeghar', chargegharEnvelope],
  ['xclera', xcleraEnvelope],
  ['platform', platformEnvelope],
];

describe('every envelope', () => {
  it.each(ENVELOPES.flatMap(([surface, envelope]) => INTERNAL_FAILURES.map(([what, make, leak]) => [surface, what, envelope, make, leak] as const)))(
    'when %s answers %s, then no internal text reaches the body',
    (_surface, _what, envelope, make, leak) => {
      const reply = render(envelope, make());
      expect(JSON.stringify(reply.body)).not.toMatch(leak);
      expect(reply.status).toBeGreaterThanOrEqual(400);
    },
  );

  it.each(ENVELOPES)('when %s answers an unknown error, then 500', (_surface, envelope) => {
    expect(render(envelope, unknownError()).status).toBe(500);
  });
});

describe('the Maxtera envelope (DRF)', () => {
  it('when input is invalid, then 400 with field -> messages', () => {
    expect(render(maxteraEnvelope, invalidPurchase())).toEqual({
      status: 400,
      body: { amount: [expect.any(String)], phone_number: [expect.any(String)] },
    });
  });

  it('when a rule fails on the whole input, then its message sits under non_field_errors', () => {
    const err = new DomainError(FailureType.Validation, 'passwords differ', { issues: [{ path: [], message: 'Passwords do not match.', code: 'custom' }] });
    expect(render(maxteraEnvelope, err).body).toEqual({ non_field_errors: ['Passwords do not match.'] });
  });

  it('when a route names fields the older way, then they still come out as DRF field errors', () => {
    const err = new DomainError(FailureType.Validation, 'Unknown plan', { fields: { plan: ['"9TB" is not a valid MTN data plan.'] } });
    expect(render(maxteraEnvelope, err)).toEqual({ status: 400, body: { plan: ['"9TB" is not a valid MTN data plan.'] } });
  });

  it('when an activity does not find something, then 404 "Not found."', () => {
    expect(render(maxteraEnvelope, notFoundInActivity())).toEqual({ status: 404, body: { detail: 'Not found.' } });
  });

  it('when the API words a refusal for the client, then that wording is shown instead of DRF\'s', () => {
    const err = publicError(FailureType.NotFound, 'No purchase under review has that reference.');
    expect(render(maxteraEnvelope, err)).toEqual({ status: 404, body: { detail: 'No purchase under review has that reference.' } });
  });

  it.each([
    ['missing', { detail: 'Authentication credentials were not provided.' }],
    ['invalid', { detail: 'Given token not valid for any token type', code: 'token_not_valid' }],
    ['invalid-refresh', { detail: 'Token is invalid or expired', code: 'token_not_valid' }],
    ['bad-credentials', { detail: 'No active account found with the given credentials' }],
  ] as const)('when authentication is %s, then 401 with simplejwt\'s body', (reason, body) => {
    const reply = render(maxteraEnvelope, unauthenticated(reason));
    expect(reply.status).toBe(401);
    expect(reply.body).toEqual(body);
    expect(reply.headers?.['WWW-Authenticate']).toMatch(/^Bearer/);
  });

  it('when funds are insufficient, then 400 "Insufficient wallet balance."', () => {
    expect(render(maxteraEnvelope, insufficientFunds())).toEqual({ status: 400, body: { detail: 'Insufficient wallet balance.' } });
    expect(render(maxteraEnvelope, workflowFailure(FailureType.InsufficientFunds, 'insufficient funds'))).toEqual({
      status: 400,
      body: { detail: 'Insufficient wallet balance.' },
    });
  });

  it('when throttled, then 429 "Request was throttled."', () => {
    expect(render(maxteraEnvelope, rateLimited())).toEqual({ status: 429, body: { detail: 'Request was throttled.' } });
  });

  it('when something unknown fails, then 500 with a generic detail', () => {
    expect(render(maxteraEnvelope, unknownError())).toEqual({ status: 500, body: { detail: expect.stringMatching(/^Something went wrong/) } });
  });

  it('when the body is malformed or too large, then 400 and 413 with a detail', () => {
    expect(render(maxteraEnvelope, { type: 'entity.parse.failed' })).toEqual({ status: 400, body: { detail: 'Malformed JSON in request body.' } });
    expect(render(maxteraEnvelope, { type: 'entity.too.large' }).status).toBe(413);
  });
});

describe('the GenCharge envelope (FastAPI)', () => {
  it('when input is invalid, then 422 with loc/msg/type per issue', () => {
    expect(render(genchargeEnvelope, invalidPurchase())).toEqual({
      status: 422,
      body: {
        detail: [
          { loc: ['body', 'amount'], msg: expect.any(String), type: 'greater_than_equal' },
          { loc: ['body', 'phone_number'], msg: 'Field required', type: 'missing' },
        ],
      },
    });
  });

  it('when an enum field is absent, then it is "missing" like any other absent field, and a wrong value is "enum"', () => {
    const UserType = z.object({ user_type: z.enum(['prepaid', 'postpaid']) });
    const absent = validationError(UserType.safeParse({}).error!.issues, { input: {} });
    expect(render(genchargeEnvelope, absent).body).toEqual({ detail: [{ loc: ['body', 'user_type'], msg: 'Field required', type: 'missing' }] });
    const wrong = validationError(UserType.safeParse({ user_type: 'gold' }).error!.issues, { input: { user_type: 'gold' } });
    expect(render(genchargeEnvelope, wrong).body).toEqual({ detail: [{ loc: ['body', 'user_type'], msg: expect.any(String), type: 'enum' }] });
  });

  it('when a query parameter is invalid, then its loc starts with "query"', () => {
    const err = validationError(z.object({ page: z.coerce.number().int().min(1) }).safeParse({ page: '0' }).error!.issues, { input: { page: '0' }, location: 'query' });
    expect(render(genchargeEnvelope, err).body).toEqual({ detail: [{ loc: ['query', 'page'], msg: expect.any(String), type: 'greater_than_equal' }] });
  });

  it('when the body is not JSON, then 422 json_invalid as FastAPI answers', () => {
    expect(render(genchargeEnvelope, { type: 'entity.parse.failed' })).toEqual({
      status: 422,
      body: { detail: [{ loc: ['body', 0], msg: 'JSON decode error', type: 'json_invalid' }] },
    });
  });

  it('when a business rule refuses the input without naming fields, then 400 with a string detail', () => {
    expect(render(genchargeEnvelope, new DomainError(FailureType.Validation, 'Plan is not available in your circle'))).toEqual({
      status: 400,
      body: { detail: 'Plan is not available in your circle' },
    });
  });

  it('when something is not found, then 404 with a detail naming the resource or "Not Found"', () => {
    expect(render(genchargeEnvelope, notFoundInActivity())).toEqual({ status: 404, body: { detail: 'Not Found' } });
    expect(render(genchargeEnvelope, new DomainError(FailureType.NotFound, 'plan 9 of tenant x', { resource: 'plan' }))).toEqual({
      status: 404,
      body: { detail: 'Plan not found' },
    });
  });

  it.each([
    ['missing', 'Not authenticated'],
    ['invalid', 'Could not validate credentials'],
    ['bad-credentials', 'Incorrect username or password'],
  ] as const)('when authentication is %s, then 401 "%s" with WWW-Authenticate', (reason, detail) => {
    expect(render(genchargeEnvelope, unauthenticated(reason))).toEqual({ status: 401, body: { detail }, headers: { 'WWW-Authenticate': 'Bearer' } });
  });

  it('when funds are insufficient, throttled or something unknown fails, then FastAPI-style details', () => {
    expect(render(genchargeEnvelope, insufficientFunds())).toEqual({ status: 400, body: { detail: 'Insufficient wallet balance' } });
    expect(render(genchargeEnvelope, rateLimited())).toEqual({ status: 429, body: { detail: 'Too many requests' } });
    expect(render(genchargeEnvelope, unknownError())).toEqual({ status: 500, body: { detail: 'Internal Server Error' } });
  });
});

describe('the MyMoolah envelope', () => {
  it('when input is invalid, then 400 with the spec\'s field code', () => {
    expect(render(mymoolahEnvelope, invalidPurchase())).toEqual({
      status: 400,
      body: { success: false, error: expect.stringMatching(/^amount: /), code: 'INVALID_AMOUNT' },
    });
    const badCode = validationError(z.object({ voucher_code: z.string().regex(/^\d{16}$/) }).safeParse({ voucher_code: '12' }).error!.issues);
    expect(render(mymoolahEnvelope, badCode).body).toMatchObject({ code: 'INVALID_VOUCHER_CODE' });
    const other = validationError(z.object({ name: z.string() }).safeParse({}).error!.issues);
    expect(render(mymoolahEnvelope, other).body).toMatchObject({ code: 'VALIDATION_ERROR' });
  });

  it('when something is not found, then 404 NOT_FOUND, or VOUCHER_NOT_FOUND for a voucher', () => {
    expect(render(mymoolahEnvelope, notFoundInActivity())).toEqual({ status: 404, body: { success: false, error: 'Resource not found', code: 'NOT_FOUND' } });
    expect(render(mymoolahEnvelope, new DomainError(FailureType.NotFound, 'voucher 17', { resource: 'voucher' }))).toEqual({
      status: 404,
      body: { success: false, error: 'Voucher not found', code: 'VOUCHER_NOT_FOUND' },
    });
  });

  it('when authentication fails, then 401 UNAUTHORIZED, or AUTHENTICATION_FAILED for bad credentials', () => {
    expect(render(mymoolahEnvelope, unauthenticated('missing'))).toEqual({ status: 401, body: { success: false, error: 'Access token required', code: 'UNAUTHORIZED' } });
    expect(render(mymoolahEnvelope, unauthenticated('invalid')).body).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(render(mymoolahEnvelope, unauthenticated('bad-credentials'))).toEqual({
      status: 401,
      body: { success: false, error: 'Invalid credentials', code: 'AUTHENTICATION_FAILED' },
    });
  });

  it('when funds are insufficient, throttled or something unknown fails, then the spec\'s envelope', () => {
    expect(render(mymoolahEnvelope, insufficientFunds())).toEqual({ status: 400, body: { success: false, error: 'Insufficient balance', code: 'INSUFFICIENT_BALANCE' } });
    expect(render(mymoolahEnvelope, rateLimited())).toEqual({ status: 429, body: { success: false, error: expect.any(String), code: 'RATE_LIMIT_EXCEEDED' } });
    expect(render(mymoolahEnvelope, unknownError())).toEqual({ status: 500, body: { success: false, error: 'Internal server error', code: 'INTERNAL_ERROR' } });
  });
});

describe('the ChargeGhar envelope', () => {
  const failed = (code: string, message: unknown = expect.any(String)) => ({ success: false, error: { code, message } });

  it('when input is invalid, then 400 VALIDATION_ERROR naming the first field', () => {
    expect(render(chargegharEnvelope, invalidPurchase())).toEqual({ status: 400, body: failed('VALIDATION_ERROR', expect.stringMatching(/^amount: /)) });
  });

  it('when something is not found, then 404 NOT_FOUND', () => {
    expect(render(chargegharEnvelope, notFoundInActivity())).toEqual({ status: 404, body: failed('NOT_FOUND', 'Resource not found') });
  });

  it('when authentication fails, then 401 UNAUTHORIZED', () => {
    expect(render(chargegharEnvelope, unauthenticated('missing'))).toEqual({ status: 401, body: failed('UNAUTHORIZED', 'Authentication required') });
    expect(render(chargegharEnvelope, unauthenticated('invalid'))).toEqual({ status: 401, body: failed('UNAUTHORIZED', 'Invalid or expired token') });
  });

  it('when permission is denied, funds are insufficient, throttled or something unknown fails, then the spec\'s codes', () => {
    expect(render(chargegharEnvelope, new DomainError(FailureType.Forbidden, 'role user on /admin'))).toEqual({ status: 403, body: failed('PERMISSION_DENIED') });
    expect(render(chargegharEnvelope, insufficientFunds())).toEqual({ status: 400, body: failed('INSUFFICIENT_BALANCE', 'Insufficient balance') });
    expect(render(chargegharEnvelope, rateLimited())).toEqual({ status: 429, body: failed('RATE_LIMIT_EXCEEDED', 'Too many requests') });
    expect(render(chargegharEnvelope, unknownError())).toEqual({ status: 500, body: failed('INTERNAL_ERROR', 'An unexpected error occurred') });
  });
});

describe('the Xclera envelope', () => {
  it('when input is invalid, then 400 with the fields in details', () => {
    expect(render(xcleraEnvelope, invalidPurchase())).toEqual({
      status: 400,
      body: { error: 'Invalid input', details: { amount: [expect.any(String)], phone_number: [expect.any(String)] } },
    });
  });

  it('when the thrower marked details public, then they are shown, and only those', () => {
    const err = new DomainError(FailureType.Forbidden, 'level 3 needs depth 2; user 9 has 1', { userId: 9 }, {
      publicMessage: 'Level 3 requires referral depth 2',
      publicDetails: { required_depth: 2 },
    });
    expect(render(xcleraEnvelope, err)).toEqual({ status: 403, body: { error: 'Level 3 requires referral depth 2', details: { required_depth: 2 } } });
  });

  it('when something is not found, authentication fails, funds are insufficient, throttled or unknown, then {error, details}', () => {
    expect(render(xcleraEnvelope, notFoundInActivity())).toEqual({ status: 404, body: { error: 'Resource not found', details: {} } });
    expect(render(xcleraEnvelope, unauthenticated('missing'))).toEqual({ status: 401, body: { error: 'Missing authorization token', details: {} } });
    expect(render(xcleraEnvelope, unauthenticated('bad-credentials'))).toEqual({ status: 401, body: { error: 'Invalid signature', details: {} } });
    expect(render(xcleraEnvelope, insufficientFunds())).toEqual({ status: 400, body: { error: 'Insufficient balance', details: {} } });
    expect(render(xcleraEnvelope, rateLimited())).toEqual({ status: 429, body: { error: 'Too many requests', details: {} } });
    expect(render(xcleraEnvelope, unknownError())).toEqual({ status: 500, body: { error: 'Internal server error', details: {} } });
  });
});

describe('the platform envelope', () => {
  it('when input is invalid, then 400 with its message', () => {
    expect(render(platformEnvelope, new DomainError(FailureType.Validation, 'fault count must be a whole number, zero or more'))).toEqual({
      status: 400,
      body: { error: 'fault count must be a whole number, zero or more' },
    });
    expect(render(platformEnvelope, invalidPurchase())).toEqual({ status: 400, body: { error: expect.stringMatching(/^amount: /) } });
  });

  it('when a webhook is refused or nothing is found, then the generic wording', () => {
    expect(render(platformEnvelope, new DomainError(FailureType.Unauthenticated, 'payment webhook signature does not match'))).toEqual({
      status: 401,
      body: { error: 'Authentication failed.' },
    });
    expect(render(platformEnvelope, new DomainError(FailureType.NotFound, 'no sandbox collection MPX-1'))).toEqual({ status: 404, body: { error: 'Not found.' } });
  });

  it('when funds are insufficient, throttled or something unknown fails, then {error}', () => {
    expect(render(platformEnvelope, insufficientFunds())).toEqual({ status: 400, body: { error: 'Insufficient balance.' } });
    expect(render(platformEnvelope, rateLimited())).toEqual({ status: 429, body: { error: expect.any(String) } });
    expect(render(platformEnvelope, unknownError())).toEqual({ status: 500, body: { error: expect.stringMatching(/^Something went wrong/) } });
  });
});

describe('surfaceErrorHandler', () => {
  function appThrowing(err: unknown) {
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino(
      { level: 'debug' },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
          done();
        },
      }),
    );
    const app = express();
    app.use(pinoHttp({ logger, genReqId: () => 'req-unit-1', autoLogging: false }));
    app.get('/boom', () => {
      throw err;
    });
    app.use(surfaceErrorHandler(maxteraEnvelope, logger));
    return { app, lines };
  }

  it('when a request fails inside, then the client gets a generic 500 and the log has the error with the request id', async () => {
    const { app, lines } = appThrowing(unknownError());
    const res = await request(app).get('/boom');
    expect(res.status).toBe(500);
    expect(res.text).not.toMatch(/ECONNREFUSED|10\.0\.0\.5|ledger/);
    const logged = lines.find((l) => l.msg === 'request failed');
    expect(logged).toMatchObject({ requestId: 'req-unit-1', level: 50, err: { message: expect.stringContaining('ECONNREFUSED') } });
  });

  it('when an activity\'s text is withheld from a refusal, then it is logged instead', async () => {
    const { app, lines } = appThrowing(notFoundInActivity());
    const res = await request(app).get('/boom');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ detail: 'Not found.' });
    expect(lines.find((l) => l.msg === 'request refused')).toMatchObject({ requestId: 'req-unit-1', withheld: 'ledger account 5 not found' });
  });
});
