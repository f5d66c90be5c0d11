import { expect, expectNoAxeViolations, test } from './fixtures/portal_page';

// Test results (issue 15, C3, C8) with the demo's Walter Brooks (account made by .ci/test,
// password riverbend7): three years of metabolic panels, the latest waiting for its automatic
// release. Every page here reads the same without JavaScript.

test.describe('Test results (C3, C8)', () => {
  test('a patient reads a result and the history of one of its values', async ({ portal, page }) => {
    await portal.signIn('walter.brooks', 'Walter');
    await portal.goto('/records');
    await page
      .getByRole('listitem')
      .filter({ hasText: 'Your own record' })
      .getByRole('link', { name: 'Test results' })
      .click();
    await expect(page.getByRole('heading', { level: 1, name: 'Your test results' })).toBeVisible();
    // The portal never interprets: it sends questions to the clinic (C8).
    await expect(page.getByText('does not explain what they mean')).toBeVisible();
    const table = page.getByRole('table');
    // Twelve released panels; yesterday's waits for its automatic release.
    await expect(table.getByRole('link', { name: 'Basic metabolic panel' })).toHaveCount(12);
    await expectNoAxeViolations(page);

    await table.getByRole('link', { name: 'Basic metabolic panel' }).first().click();
    await expect(page.getByRole('heading', { level: 1, name: 'Basic metabolic panel' })).toBeVisible();
    const creatinine = page.getByRole('row', { name: /Creatinine/ });
    await expect(creatinine).toContainText('mg/dL');
    await expect(creatinine).toContainText('0.6 to 1.3 mg/dL');
    await expectNoAxeViolations(page);

    await creatinine.getByRole('link', { name: 'History of creatinine' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'History of creatinine' })).toBeVisible();
    // Drawn on the server: the same with and without JavaScript.
    await expect(page.getByRole('img', { name: /^Chart of Creatinine/ })).toBeVisible();
    // The paragraph above the chart says what the band is; the picture names itself and its dates.
    await expect(page.getByText(/The shaded band is the standard range, 0.6 to 1.3 mg\/dL/)).toBeVisible();
    await expect(page.getByRole('img', { name: /^Chart of Creatinine from \d{1,2} \w+ \d{4} to \d{1,2} \w+ \d{4}$/ })).toBeVisible();
    const values = page.getByRole('table', { name: /Creatinine: every value/ });
    await expect(values.getByRole('row')).toHaveCount(13);
    await expectNoAxeViolations(page);
  });
});
