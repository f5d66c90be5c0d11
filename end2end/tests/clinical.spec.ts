import * as fs from 'node:fs';
import { Fhir } from 'fhir';
import { expect, expectNoAxeViolations, test } from './fixtures/portal_page';

// Immunizations, the health summary (P8) and reports of incorrect information (C4), with the
// demo accounts .ci/test makes (password riverbend7): Maria Chen (parent of Lily, 15) and
// Walter Brooks.

test.describe('The rest of the record', () => {
  test("a parent prints her 15-year-old's immunizations (P5)", async ({ portal, page }) => {
    await portal.signIn('maria.chen', 'Maria');
    await portal.goto('/records');
    const lily = page.getByRole('listitem').filter({ has: page.getByRole('heading', { level: 2, name: 'Lily Chen' }) });
    await lily.getByRole('link', { name: 'Immunizations' }).click();
    await expect(page.getByRole('heading', { level: 1, name: "Lily Chen's immunizations" })).toBeVisible();
    const table = page.getByRole('table', { name: /Immunizations of Lily Chen/ });
    await expect(table.getByRole('rowheader', { name: 'Tdap' })).toBeVisible();
    await expect(table.getByRole('rowheader', { name: 'MMR' })).toHaveCount(2);
    await expectNoAxeViolations(page);

    // Printed: the person and the table, without the site's menus and the record's banner.
    await page.emulateMedia({ media: 'print' });
    await expect(page.getByText(/^Lily Chen, born /)).toBeVisible();
    await expect(page.getByRole('navigation', { name: "Lily's record" })).toBeHidden();
    await expect(page.getByRole('banner')).toBeHidden();
    await expect(table.getByRole('rowheader', { name: 'Tdap' })).toBeVisible();
    await page.emulateMedia({ media: 'screen' });
  });

  test('a patient downloads their health summary, a valid FHIR document', async ({ portal, page }) => {
    await portal.signIn('walter.brooks', 'Walter');
    await portal.goto('/record/health-summary');
    await expect(page.getByRole('heading', { level: 1, name: 'Your health summary' })).toBeVisible();
    await expect(page.getByRole('region', { name: 'Allergies' })).toContainText('Sulfa drugs');
    await expectNoAxeViolations(page);

    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Download the summary (FHIR document)' }).click();
    const file = await (await download).path();
    const bundle = JSON.parse(fs.readFileSync(file, 'utf8'));
    const result = new Fhir().validate(bundle);
    expect(result.messages.filter((m: { severity?: string }) => m.severity === 'error')).toEqual([]);
    expect(result.valid).toBe(true);
    expect(bundle.type).toBe('document');
    expect(bundle.entry[0].resource.resourceType).toBe('Composition');
    const kinds = bundle.entry.map((e: { resource: { resourceType: string } }) => e.resource.resourceType);
    expect(kinds.filter((k: string) => k === 'AllergyIntolerance')).toHaveLength(1);
    expect(kinds.filter((k: string) => k === 'Immunization')).toHaveLength(3);
  });

  test('a patient reports incorrect information and sees it waiting for the clinic (C4)', async ({ portal, page }, testInfo) => {
    // Each project reports a different kind of item.
    const item = { desktop: 'Pneumococcal', tablet: 'Sulfa drugs', 'no-javascript': 'Chronic kidney disease' }[
      testInfo.project.name
    ]!;
    await portal.signIn('walter.brooks', 'Walter');
    if (item === 'Pneumococcal') {
      await portal.goto('/record/immunizations');
    } else {
      await portal.goto('/record/health-summary');
    }
    await page.getByRole('link', { name: new RegExp(`^Report incorrect information: ${item}`) }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Reports of incorrect information' })).toBeVisible();
    if (portal.javaScriptEnabled) {
      await portal.waitForHydration();
    }
    await expect(page.getByRole('region', { name: 'Tell the clinic what is wrong' })).toContainText(item);
    await expectNoAxeViolations(page);
    await page.getByLabel('What is wrong?').fill(`The ${item} entry is not mine.`);
    await page.getByRole('button', { name: 'Send to the clinic' }).click();
    await expect(page.getByRole('status')).toContainText(`Sent to the clinic: `);
    const sent = page.getByRole('region', { name: 'Reports sent' }).getByRole('listitem').filter({ hasText: `The ${item} entry is not mine.` });
    await expect(sent).toContainText('Waiting for the clinic');
  });
});
