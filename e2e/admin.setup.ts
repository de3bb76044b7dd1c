import { expect, test as setup } from '@playwright/test';
import { AUTHOR, AUTHOR_STATE } from './fixtures';

setup('first-run setup creates the author account', async ({ page, baseURL }) => {
  // A new blog has no author: /admin leads to the setup form.
  await page.goto('/admin');
  await expect(page).toHaveURL(/\/admin\/setup$/);
  await page.getByLabel('Setup token').fill('not the token');
  await page.getByLabel('Your name').fill(AUTHOR.name);
  await page.getByLabel('Email').fill(AUTHOR.email);
  await page.getByLabel('Password').fill(AUTHOR.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.locator('#setupToken-error')).toHaveText('This is not the setup token from the server log.');

  await page.getByLabel('Setup token').fill(process.env.E2E_SETUP_TOKEN!);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/admin\/posts$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Posts' })).toBeVisible();
  await page.context().storageState({ path: AUTHOR_STATE });

  // Once an author exists, setup is closed.
  await page.goto('/admin/setup');
  await expect(page).toHaveURL(/\/admin\/posts$/);

  // The specs post many comments quickly from one address; real readers are slower and spread out.
  const settings = await page.request.patch('/api/admin/settings', {
    headers: { Origin: baseURL! },
    data: { minSubmitSeconds: 0, commentRateLimit: { max: 10_000, windowSeconds: 60 } },
  });
  expect(settings.status()).toBe(200);
});
