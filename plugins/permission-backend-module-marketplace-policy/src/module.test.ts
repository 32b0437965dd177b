import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { permissionModuleMarketplacePolicy } from './module';
import { MarketplacePermissionPolicy } from './MarketplacePermissionPolicy';

describe('permissionModuleMarketplacePolicy', () => {
  it('installs the marketplace policy', async () => {
    const setPolicy = jest.fn();
    await startTestBackend({
      extensionPoints: [[policyExtensionPoint, { setPolicy }]],
      features: [
        permissionModuleMarketplacePolicy,
        mockServices.rootConfig.factory({ data: {} }),
        mockServices.events.factory(),
      ],
    });
    expect(setPolicy).toHaveBeenCalledWith(
      expect.any(MarketplacePermissionPolicy),
    );
  });
});
