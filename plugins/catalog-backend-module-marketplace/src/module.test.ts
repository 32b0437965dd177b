import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { catalogModuleMarketplace } from './module';
import { MarketplaceEntitiesProcessor } from './processor/MarketplaceEntitiesProcessor';
import { MarketplacePublishedServicesProvider } from './provider/MarketplacePublishedServicesProvider';

describe('catalogModuleMarketplace', () => {
  it('registers the processor and the published-services provider, and listens for changes', async () => {
    const extensionPoint = {
      addProcessor: jest.fn(),
      addEntityProvider: jest.fn(),
      addPlaceholderResolver: jest.fn(),
      setOnProcessingErrorHandler: jest.fn(),
    };
    const events = mockServices.events.mock();

    await startTestBackend({
      extensionPoints: [[catalogProcessingExtensionPoint, extensionPoint]],
      features: [catalogModuleMarketplace, events.factory],
    });

    expect(extensionPoint.addProcessor).toHaveBeenCalledTimes(1);
    expect(extensionPoint.addProcessor).toHaveBeenCalledWith(
      expect.any(MarketplaceEntitiesProcessor),
    );
    expect(extensionPoint.addEntityProvider).toHaveBeenCalledWith(
      expect.any(MarketplacePublishedServicesProvider),
    );
    expect(events.subscribe).toHaveBeenCalledWith({
      id: 'catalog-marketplace-published-services',
      topics: ['marketplace.service.changed'],
      onEvent: expect.any(Function),
    });

    // A change announced by the marketplace reaches the provider as a delta.
    const provider: MarketplacePublishedServicesProvider =
      extensionPoint.addEntityProvider.mock.calls[0][0];
    const handleEvent = jest.spyOn(provider, 'handleEvent').mockResolvedValue();
    const { onEvent } = events.subscribe.mock.calls[0][0];
    await onEvent({
      topic: 'marketplace.service.changed',
      eventPayload: { serviceRef: 'modelservice:default/x' },
    });
    expect(handleEvent).toHaveBeenCalledWith({
      serviceRef: 'modelservice:default/x',
    });
  });
});
