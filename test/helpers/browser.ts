import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Where the browser tests keep their screenshots (CI keeps the folder as an artifact). */
export const SCREENSHOTS = join(process.cwd(), 'test-results', 'screenshots');

/** Debian's chromium, headless, in a throwaway profile (no browser download: playwright-core drives the system one). */
export async function launchBrowser(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  await fs.mkdir(SCREENSHOTS, { recursive: true });
  const profile = await fs.mkdtemp(join(tmpdir(), 'rubrica-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    context,
    close: async () => {
      await context.close();
      await fs.rm(profile, { recursive: true, force: true });
    },
  };
}

/** The page at desktop and phone widths, whole, as `<name>-desktop.png` and `<name>-phone.png`. */
export async function screenshots(page: Page, name: string): Promise<void> {
  for (const [width, label] of [[1280, 'desktop'], [390, 'phone']] as const) {
    await page.setViewportSize({ width, height: label === 'phone' ? 844 : 900 });
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${label}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}
