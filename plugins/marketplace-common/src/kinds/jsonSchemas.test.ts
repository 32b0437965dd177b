import fs from 'fs';
import path from 'path';
import Ajv from 'ajv';
import { parseAllDocuments } from 'yaml';
import { MARKETPLACE_JSON_SCHEMAS } from './jsonSchemas';
import { modelServiceEntityProblems } from './modelServiceChecks';

const repo = path.resolve(__dirname, '../../../..');

describe('MARKETPLACE_JSON_SCHEMAS', () => {
  it.each(Object.keys(MARKETPLACE_JSON_SCHEMAS))(
    'schemas/%s is committed and up to date',
    file => {
      const committed = fs.readFileSync(
        path.resolve(__dirname, '../../schemas', file),
        'utf8',
      );
      // When this fails: yarn workspace @internal/plugin-marketplace-common generate:schemas
      expect(committed).toBe(
        `${JSON.stringify(
          MARKETPLACE_JSON_SCHEMAS[
            file as keyof typeof MARKETPLACE_JSON_SCHEMAS
          ],
          null,
          2,
        )}\n`,
      );
    },
  );

  const validate = new Ajv({ strict: false, allErrors: true }).compile(
    MARKETPLACE_JSON_SCHEMAS['catalog-info.json'],
  );

  it.each([
    'examples/services.yaml',
    'examples/providers.yaml',
    'examples/org.yaml',
    'examples/sample-team-repo/catalog-info.yaml',
    'examples/sample-team-repo/provider/catalog-info.yaml',
  ])('accepts every entity of %s, as an editor would', file => {
    const documents = parseAllDocuments(
      fs.readFileSync(path.join(repo, file), 'utf8'),
    ).map(d => d.toJS());
    expect(documents.length).toBeGreaterThan(0);
    for (const document of documents) {
      expect({
        name: document.metadata.name,
        errors: validate(document) ? null : validate.errors,
      }).toEqual({ name: document.metadata.name, errors: null });
    }
  });

  it('flags a wrong field of a ModelService, as an editor would', () => {
    const [service] = parseAllDocuments(
      fs.readFileSync(path.join(repo, 'examples/services.yaml'), 'utf8'),
    ).map(d => d.toJS());
    service.spec.contextWindow = 'lots';
    delete service.spec.owner;
    expect(validate(service)).toBe(false);
    expect(validate.errors?.map(e => `${e.instancePath} ${e.message}`)).toEqual(
      expect.arrayContaining([
        '/spec/contextWindow must be integer',
        "/spec must have required property 'owner'",
      ]),
    );
  });

  it('each file starts with the editor line pointing at its schema', () => {
    for (const [file, schema] of [
      ['examples/services.yaml', 'model-service.json'],
      ['examples/providers.yaml', 'provider.json'],
      ['examples/sample-team-repo/catalog-info.yaml', 'catalog-info.json'],
      [
        'examples/sample-team-repo/provider/catalog-info.yaml',
        'catalog-info.json',
      ],
    ]) {
      const firstLine = fs
        .readFileSync(path.join(repo, file), 'utf8')
        .split('\n')[0];
      expect(firstLine).toMatch(
        new RegExp(
          `^# yaml-language-server: \\$schema=\\S+/${schema.replace(
            '.',
            '\\.',
          )}$`,
        ),
      );
    }
  });

  it('the sample team repository has a valid file and one with every kind of mistake', () => {
    const read = (file: string) =>
      parseAllDocuments(
        fs.readFileSync(
          path.join(repo, 'examples/sample-team-repo', file),
          'utf8',
        ),
      ).map(d => d.toJS());
    const [valid] = read('catalog-info.yaml');
    expect(modelServiceEntityProblems(valid)).toEqual([]);
    const [invalid] = read('invalid/catalog-info.yaml');
    expect(modelServiceEntityProblems(invalid).map(p => p.field)).toEqual([
      'spec.owner',
      'spec.lifecycle',
      'spec.pricing.promptPer1kMicros',
      'spec.contextWindow',
      'spec.endpoint.baseUrl',
      'spec.geographic.country',
    ]);
  });
});
