/**
 * Writes the editor JSON Schemas (MARKETPLACE_JSON_SCHEMAS) into ../schemas.
 * `src/kinds/jsonSchemas.test.ts` fails while the committed files are stale.
 */
import fs from 'fs';
import path from 'path';
import { MARKETPLACE_JSON_SCHEMAS } from '../src/kinds/jsonSchemas';

const dir = path.resolve(__dirname, '../schemas');
fs.mkdirSync(dir, { recursive: true });
for (const [file, schema] of Object.entries(MARKETPLACE_JSON_SCHEMAS)) {
  fs.writeFileSync(
    path.join(dir, file),
    `${JSON.stringify(schema, null, 2)}\n`,
  );
  process.stdout.write(`wrote schemas/${file}\n`);
}
