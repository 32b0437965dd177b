import { execFileSync } from 'node:child_process';
import path from 'node:path';

/**
 * Before the journeys: the portal requires admin approval for new services
 * (marketplace.publishing.requireApproval), so the sample services start pending.
 * Approves them as the admin `ada` through the marketplace's admin API and waits until
 * a consumer sees them all in the catalog.
 */
export default function globalSetup() {
  execFileSync(
    process.execPath,
    [
      path.resolve(__dirname, '../scripts/approve-samples.mjs'),
      '--backend',
      process.env.PLAYWRIGHT_BACKEND_URL ?? 'http://localhost:7007',
      '--wait-catalog-as',
      'lena.fischer',
    ],
    { stdio: 'inherit' },
  );
}
