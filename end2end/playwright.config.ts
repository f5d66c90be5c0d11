import { defineConfig, devices } from '@playwright/test';

// The CI script builds and starts the portal itself, so there is no `webServer` block here.
// `localhost` (not 127.0.0.1) keeps the page a secure context, so `Secure` / `__Host-`
// cookies work over plain http.
const baseURL = process.env.PORTAL_BASE_URL ?? 'http://localhost:3000';

// The system Chromium (Debian's `chromium` package). Never `npx playwright install`: it
// downloads browsers, which fails on these machines.
const chromiumLaunchOptions = {
  executablePath: '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    // Without these Chromium keeps trying to reach Google services on a closed network.
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-quic',
  ],
};

const desktopViewport = { width: 1280, height: 800 };
const ipad = devices['iPad (gen 7)'];

export default defineConfig({
  testDir: './tests',
  fullyParallel: true,
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 2,
  reporter: 'list',
  // A debug WASM build can take a few seconds to compile and hydrate on a busy 2-core machine.
  timeout: 60_000,
  expect: { timeout: 10_000 },
  use: {
    baseURL,
    browserName: 'chromium',
    launchOptions: chromiumLaunchOptions,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'desktop',
      use: {
        ...devices['Desktop Chrome'],
        browserName: 'chromium',
        viewport: desktopViewport,
      },
    },
    {
      // iPad-sized touch screen, but in Chromium: WebKit is not installed on these machines.
      // The device descriptor is not spread on purpose: its defaultBrowserType is 'webkit'
      // and its user agent is Safari's.
      name: 'tablet',
      use: {
        browserName: 'chromium',
        viewport: ipad.viewport,
        deviceScaleFactor: ipad.deviceScaleFactor,
        isMobile: true,
        hasTouch: true,
      },
    },
    {
      name: 'no-javascript',
      use: {
        ...devices['Desktop Chrome'],
        browserName: 'chromium',
        viewport: desktopViewport,
        javaScriptEnabled: false,
      },
    },
  ],
});
