import { mockServices } from '@backstage/backend-test-utils';
import { CatalogReferenceLookup } from './CatalogReferenceLookup';

describe('CatalogReferenceLookup', () => {
  function create(
    options: {
      entities?: string[];
      file?: string;
      catalogFails?: boolean;
    } = {},
  ) {
    const readUrl = jest.fn(async () => ({
      buffer: async () => Buffer.from(options.file ?? ''),
    }));
    return {
      readUrl,
      lookup: new CatalogReferenceLookup({
        catalog: {
          getEntityByRef: async (ref: any) => {
            if (options.catalogFails) {
              throw new Error('catalog is starting');
            }
            return (options.entities ?? []).includes(ref)
              ? ({ kind: 'x', spec: { owner: 'group:default/team' } } as any)
              : undefined;
          },
        },
        auth: mockServices.auth(),
        urlReader: { readUrl } as any,
        config: mockServices.rootConfig({
          data: { marketplace: { secrets: { TEAM_KEY: 'sk-1' } } },
        }),
        logger: mockServices.logger.mock(),
      }),
    };
  }

  it('finds entities in the catalog; an unreachable catalog fails nothing', async () => {
    const { lookup } = create({ entities: ['provider:default/acme'] });
    await expect(lookup.hasEntity('provider:default/acme')).resolves.toBe(true);
    await expect(lookup.hasEntity('provider:default/other')).resolves.toBe(
      false,
    );
    await expect(
      create({ catalogFails: true }).lookup.hasEntity('provider:default/x'),
    ).resolves.toBe(true);
  });

  it('tells the owner of a catalog entity; nothing when it cannot tell', async () => {
    const { lookup } = create({ entities: ['provider:default/acme'] });
    await expect(lookup.ownerOf('provider:default/acme')).resolves.toBe(
      'group:default/team',
    );
    await expect(lookup.ownerOf('provider:default/other')).resolves.toBe(
      undefined,
    );
    await expect(
      create({ catalogFails: true }).lookup.ownerOf('provider:default/x'),
    ).resolves.toBe(undefined);
  });

  it('lists the entities of a URL location, and none of other locations', async () => {
    const { lookup, readUrl } = create({
      file: [
        'apiVersion: marketplace.acme.io/v1alpha1',
        'kind: Provider',
        'metadata: { name: team-ai }',
        '---',
        'kind: ModelService',
        'metadata: { name: team-llm, namespace: lab }',
        '---',
        'just text',
      ].join('\n'),
    });
    await expect(
      lookup.entitiesAt({
        type: 'url',
        target: 'http://host/catalog-info.yaml',
      }),
    ).resolves.toEqual([
      'provider:default/team-ai',
      'modelservice:lab/team-llm',
    ]);
    expect(readUrl).toHaveBeenCalledWith('http://host/catalog-info.yaml');
    await expect(
      lookup.entitiesAt({ type: 'file', target: '/x.yaml' }),
    ).resolves.toEqual([]);
  });
});
