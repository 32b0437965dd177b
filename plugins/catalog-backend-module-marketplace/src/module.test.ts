import { startTestBackend } from '@backstage/backend-test-utils';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { catalogModuleMarketplace } from './module';
import { MarketplaceEntitiesProcessor } from './processor/MarketplaceEntitiesProcessor';

describe('catalogModuleMarketplace', () => {
  it('registers the marketplace processor through the catalog extension point', async () => {
    const extensionPoint = {
      addProcessor: jest.fn(),
      addEntityProvider: jest.fn(),
      addPlaceholderResolver: jest.fn(),
      setOnProcessingErrorHandler: jest.fn(),
    };

    await startTestBackend({
      extensionPoints: [[catalogProcessingExtensionPoint, extensionPoint]],
      features: [catalogModuleMarketplace],
    });

    expect(extensionPoint.addProcessor).toHaveBeenCalledTimes(1);
    expect(extensionPoint.addProcessor).toHaveBeenCalledWith(
      expect.any(MarketplaceEntitiesProcessor),
    );
  });
});
