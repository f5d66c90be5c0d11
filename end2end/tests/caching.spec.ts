import type { CDPSession, Page } from '@playwright/test';
import { expect, test } from './fixtures/portal_page';

// Issue 13, point 2: built files carry a hash of their content in their names and are cached
// for good, so a second page asks the server for none of the files the first page had.

/**
 * What the browser fetched from the server while the recorder ran. A file from the browser's
 * cache is not fetched: it arrives flagged as from the disk cache, or (memory cache) with no
 * response event at all.
 */
class NetworkRecorder {
  readonly fromServer = new Map<string, { status: number; cacheControl: string }>();
  readonly fromCache = new Set<string>();

  private constructor(private readonly cdp: CDPSession) {
    cdp.on('Network.responseReceived', (event) => {
      const { url, status, headers, fromDiskCache, fromPrefetchCache, fromServiceWorker } = event.response;
      if (fromDiskCache || fromPrefetchCache || fromServiceWorker) {
        this.fromCache.add(url);
        return;
      }
      const cacheControl = Object.entries(headers).find(([name]) => name.toLowerCase() === 'cache-control')?.[1] ?? '';
      this.fromServer.set(url, { status, cacheControl: String(cacheControl) });
    });
  }

  static async start(page: Page): Promise<NetworkRecorder> {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    return new NetworkRecorder(cdp);
  }

  builtFiles(): string[] {
    return [...this.fromServer.keys()].filter((url) => new URL(url).pathname.startsWith('/pkg/'));
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
  const had = first.builtFiles();
  // The stylesheet at least; with JavaScript, the WASM and its loader too.
  expect(had.some((url) => /\/pkg\/portal\.[\w-]{22}\.css$/.test(url)), `a hashed stylesheet among ${had.join(', ')}`).toBe(true);
  if (portal.javaScriptEnabled) {
    expect(had.some((url) => /\/pkg\/portal\.[\w-]{22}\.wasm$/.test(url)), `a hashed WASM module among ${had.join(', ')}`).toBe(true);
  }
  for (const url of had) {
    expect(first.fromServer.get(url)?.cacheControl, url).toBe('public, max-age=31536000, immutable');
  }

  const second = await NetworkRecorder.start(page);
  // A full page load, as from a link followed in a new tab or a bookmark.
  await portal.goto('/help');
  await expect(portal.heading).toHaveText('Help');
  await second.stop();
  const askedAgain = second.builtFiles().filter((url) => had.includes(url));
  expect(askedAgain, 'built files fetched again from the server').toEqual([]);
});
