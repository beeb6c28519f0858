/** Business durations shrunk so the suite runs funding, requery and expiry cycles in seconds. */
export const TEST_ENV = {
  NODE_ENV: 'test',
  SANDBOX: 'true',
  LOG_LEVEL: 'silent',
  JWT_SECRET: 'test-only-jwt-secret-0123456789-abcdefghij',
  WEBHOOK_SECRET: 'test-only-webhook-secret',
  SEED_ADMIN_PASSWORD: 'admin-password-test',
  // Short enough that timeout faults cost little, long enough for a loaded 2-core CI machine.
  PROVIDER_HTTP_TIMEOUT_MS: '1500',
  FUNDING_POLL_INTERVAL_MS: '1500',
  FUNDING_TIMEOUT_MS: '6000',
  PURCHASE_REQUERY_INTERVAL_MS: '300',
  PURCHASE_REQUERY_LIMIT_MS: '20000',
  PURCHASE_RESPONSE_WAIT_MS: '15000',
  AUTH_RATE_LIMIT_PER_MINUTE: '1000',
  // A GenCharge plan "day" of 2 s: a 1-day plan reminds and expires within a test.
  GENCHARGE_DAY_MS: '2000',
  GENCHARGE_REMINDER_DAYS: '1',
} as const;
