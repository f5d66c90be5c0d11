import { expect, test } from './fixtures/portal_page';

// .ci/test issues one activation code per project before the portal starts (codes are single
// use): Alex Rivera for desktop, Iris Novak for tablet.
const patients: Record<string, { code?: string; dob: string; portalId: string; name: string }> = {
  desktop: { code: process.env.E2E_ACTIVATION_CODE_DESKTOP, dob: '1988-07-14', portalId: 'alex.rivera', name: 'Alex' },
  tablet: { code: process.env.E2E_ACTIVATION_CODE_TABLET, dob: '1983-01-25', portalId: 'iris.novak', name: 'Iris' },
};

test.describe('Activation and sign-in (A2-A5)', () => {
  test.skip(({ javaScriptEnabled }) => javaScriptEnabled === false, 'The account forms run with JavaScript');

  test('a patient activates with their code, signs in and signs out', async ({ portal, page }, testInfo) => {
    const patient = patients[testInfo.project.name];
    test.skip(!patient?.code, 'no activation code was issued for this project');

    await portal.goto('/activate');
    await page.getByLabel('Activation code').fill(patient.code!);
    await page.getByLabel('Date of birth').fill(patient.dob);
    // The ID rule (A3) is checked while typing, with the server's words.
    await page.getByLabel('Choose a portal ID').fill('abc');
    await expect(page.getByText('A portal ID has at least 5 characters.')).toBeVisible();
    await page.getByLabel('Choose a portal ID').fill(patient.portalId);
    await expect(page.getByText('A portal ID has at least 5 characters.')).toHaveCount(0);
    await page.getByLabel('Choose a password').fill('riverbend7');
    await page.getByLabel('Password reset question').fill('Name of my first pet?');
    await page.getByLabel('Answer to your question').fill('Biscuit');
    await page.getByRole('button', { name: 'Activate' }).click();
    await expect(page.getByRole('status')).toContainText('Your account is ready');

    await page.getByRole('link', { name: 'Sign in now' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
    await page.getByLabel('Portal ID').fill(patient.portalId);
    await page.getByLabel('Password').fill('riverbend7');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByText(`Signed in as ${patient.name}`)).toBeVisible();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page.getByRole('link', { name: 'Sign in', exact: true })).toBeVisible();
    await expect(page.getByText(`Signed in as ${patient.name}`)).toHaveCount(0);
  });

  test('an unknown portal ID is refused in plain words', async ({ portal, page }) => {
    await portal.goto('/sign-in');
    await page.getByLabel('Portal ID').fill('nobody.here');
    await page.getByLabel('Password').fill('riverbend7');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert')).toContainText('did not match');
  });
});
