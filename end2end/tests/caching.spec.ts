import type { CDPSession, Page } from '@playwright/test';
import { expect, test } from './fixtures/portal_page';

// Issue 13, point 2: built files carry a hash of their content in their names and are cached
// for good, so a second page asks the server for none of the files the first page had.

/**
 * What the browser fetched from the server while the recorder ran. A file from the browser's
 * cache is not fetched: Chromium says so with `requestServedFromCache` (memory cache) or with
 * `fromDiskCache` on the response.
 */
class NetworkRecorder {
  private readonly responses = new Map<string, { url: string; status: number; cacheControl: string; fromDisk: boolean }>();
  private readonly servedFromCache = new Set<string>();

  private constructor(private readonly cdp: CDPSession) {
    cdp.on('Network.requestServedFromCache', ({ requestId }) => this.servedFromCache.add(requestId));
    cdp.on('Network.responseReceived', ({ requestId, response }) => {
      const cacheControl = Object.entries(response.headers).find(([name]) => name.toLowerCase() === 'cache-control')?.[1] ?? '';
      this.responses.set(requestId, {
        url: response.url,
        status: response.status,
        cacheControl: String(cacheControl),
        fromDisk: Boolean(response.fromDiskCache || response.fromPrefetchCache || response.fromServiceWorker),
      });
    });
  }

  static async start(page: Page): Promise<NetworkRecorder> {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    return new NetworkRecorder(cdp);
  }

  /** The built files (`/pkg/…`) the server sent, with their Cache-Control. */
  fromServer(): Map<string, string> {
    const sent = new Map<string, string>();
    for (const [requestId, r] of this.responses) {
      if (!r.fromDisk && !this.servedFromCache.has(requestId) && new URL(r.url).pathname.startsWith('/pkg/')) {
        sent.set(r.url, r.cacheControl);
      }
    }
    return sent;
  }

  async stop(): Promise<void> {
    await this.cdp.detach();
  }
}

test('a second page asks the server again for none of the built files the first page had', async ({ portal, page }) => {
  const first = await NetworkRecorder.start(page);
  await portal.goto('/');
  await expect(portal.heading).toBeVisible();
  await first.stop();
  const sent = first.fromServer();
  const had = [...sent.keys()];
  // The stylesheet at least; with JavaScript, the WASM and its loader too.
  expect(had.some((url) => /\/pkg\/portal\.[\w-]{22}\.css$/.test(url)), `a hashed stylesheet among ${had.join(', ')}`).toBe(true);
  if (portal.javaScriptEnabled) {
    expect(had.some((url) => /\/pkg\/portal\.[\w-]{22}\.wasm$/.test(url)), `a hashed WASM module among ${had.join(', ')}`).toBe(true);
  }
  for (const [url, cacheControl] of sent) {
    expect(cacheControl, url).toBe('public, max-age=31536000, immutable');
  }

  const second = await NetworkRecorder.start(page);
  // A full page load, as from a link followed in a new tab or a bookmark.
  await portal.goto('/help');
  await expect(portal.heading).toHaveText('Help');
  await second.stop();
  const askedAgain = [...second.fromServer().keys()].filter((url) => had.includes(url));
  expect(askedAgain, 'built files fetched again from the server').toEqual([]);
});
