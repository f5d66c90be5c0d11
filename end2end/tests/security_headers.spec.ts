import { expect, test } from '@playwright/test';

function nonceOf(csp: string): string {
  const match = /'nonce-([^']+)'/.exec(csp);
  expect(match, `a 'nonce-…' source in: ${csp}`).not.toBeNull();
  return match![1];
}

test.describe('The home page response', () => {
  test('has a Content-Security-Policy with a nonce that forbids framing', async ({ request }) => {
    const response = await request.get('/');
    expect(response.status()).toBe(200);
    const csp = response.headers()['content-security-policy'];
    expect(csp, 'Content-Security-Policy header').toBeDefined();
    expect(csp).toContain('nonce-');
    expect(csp).toContain("frame-ancestors 'none'");
  });

  test('has X-Content-Type-Options nosniff', async ({ request }) => {
    const response = await request.get('/');
    expect(response.headers()['x-content-type-options']).toBe('nosniff');
  });

  test('has a Referrer-Policy', async ({ request }) => {
    const response = await request.get('/');
    const referrerPolicy = response.headers()['referrer-policy'];
    expect(referrerPolicy, 'Referrer-Policy header').toBeDefined();
    expect(referrerPolicy).not.toBe('');
  });

  test('has an X-Request-Id', async ({ request }) => {
    const response = await request.get('/');
    const requestId = response.headers()['x-request-id'];
    expect(requestId, 'X-Request-Id header').toBeDefined();
    expect(requestId).not.toBe('');
  });

  test('has Cache-Control no-store', async ({ request }) => {
    const response = await request.get('/');
    expect(response.headers()['cache-control'], 'Cache-Control header').toContain('no-store');
  });

  test('gets a fresh CSP nonce each time, and its scripts carry it', async ({ request }) => {
    const first = await request.get('/');
    const second = await request.get('/');
    const firstNonce = nonceOf(first.headers()['content-security-policy'] ?? '');
    const secondNonce = nonceOf(second.headers()['content-security-policy'] ?? '');
    expect(secondNonce, 'the nonce of a second response').not.toBe(firstNonce);
    const escaped = firstNonce.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(await first.text(), 'a script with the nonce attribute').toMatch(new RegExp(`<script[^>]*\\snonce=["']?${escaped}["'\\s>]`));
  });
});
