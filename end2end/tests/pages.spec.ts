import { expect, test } from './fixtures/portal_page';

test('the home page welcomes the visitor', async ({ portal }) => {
  const response = await portal.goto('/');
  expect(response?.status()).toBe(200);
  await expect(portal.heading).toContainText('Welcome');
});

test('the Getting an account page has its heading', async ({ portal }) => {
  const response = await portal.goto('/getting-an-account');
  expect(response?.status()).toBe(200);
  await expect(portal.heading).toHaveText('Getting an account');
});

test('the Help page has its heading', async ({ portal }) => {
  const response = await portal.goto('/help');
  expect(response?.status()).toBe(200);
  await expect(portal.heading).toHaveText('Help');
});

test('an unknown address answers 404 and says the page was not found', async ({ portal }) => {
  const response = await portal.goto('/no-such-page');
  expect(response?.status()).toBe(404);
  await expect(portal.heading).toHaveText('Page not found');
});
