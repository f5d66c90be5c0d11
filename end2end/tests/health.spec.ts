import { expect, test } from '@playwright/test';

test('the liveness endpoint /healthz answers 200', async ({ request }) => {
  const response = await request.get('/healthz');
  expect(response.status()).toBe(200);
});

test('the readiness endpoint /readyz answers 200 and reports the database as ok', async ({ request }) => {
  const response = await request.get('/readyz');
  expect(response.status()).toBe(200);
  const body = (await response.json()) as { database?: unknown };
  expect(body.database, `"database" in ${JSON.stringify(body)}`).toBe('ok');
});
