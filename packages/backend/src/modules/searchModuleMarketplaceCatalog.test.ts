import { marketplaceCatalogDocument } from './searchModuleMarketplaceCatalog';

const gpt4oMini = {
  apiVersion: 'marketplace.acme.io/v1alpha1',
  kind: 'ModelService',
  metadata: {
    name: 'northwind-gpt-4o-mini',
    namespace: 'default',
    title: 'GPT-4o mini (Northwind Cloud AI)',
    description: 'Small, fast and cheap GPT model.',
  },
  spec: {
    family: 'gpt',
    baseModel: 'gpt-4o-mini',
    features: {
      functionCalling: true,
      vision: true,
      streaming: true,
      jsonMode: false,
      fineTuned: false,
    },
  },
};

describe('marketplaceCatalogDocument', () => {
  it('indexes a ModelService by its features and its names without punctuation', () => {
    const words = marketplaceCatalogDocument(gpt4oMini as any).text.split(
      /\s+/,
    );
    expect(words).toEqual(
      expect.arrayContaining(['Small,', 'vision', 'function', 'gpt4omini']),
    );
    // A prefix search for "gpt4o" matches a word of the document.
    expect(words.some(w => w.startsWith('gpt4o'))).toBe(true);
    expect(words).not.toContain('json');
  });

  it("leaves other entities' documents as Backstage makes them", () => {
    const component = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'portal', description: 'The portal' },
      spec: { type: 'website', lifecycle: 'production', owner: 'team' },
    };
    expect(marketplaceCatalogDocument(component as any).text).toBe(
      'The portal',
    );
  });
});
