import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import useAsync from 'react-use/esm/useAsync';
import { parseEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/frontend-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import {
  isProviderEntity,
  PROVIDER_KIND,
} from '@internal/plugin-marketplace-common';
import { countryLabel } from '../../format';
import { VerificationChip } from '../shared/chips';
import { RefLink } from '../shared/RefLink';

/**
 * The provider of a service: a link to its entity page, its verification status
 * and headquarters, read from the Provider entity.
 */
export function ProviderSummary(props: {
  providerRef: string;
  defaultNamespace?: string;
}) {
  const { providerRef, defaultNamespace } = props;
  const catalogApi = useApi(catalogApiRef);
  const { value: provider } = useAsync(async () => {
    const ref = parseEntityRef(providerRef, {
      defaultKind: PROVIDER_KIND,
      defaultNamespace: defaultNamespace ?? 'default',
    });
    const entity = await catalogApi.getEntityByRef(ref);
    return entity && isProviderEntity(entity) ? entity : undefined;
  }, [catalogApi, providerRef, defaultNamespace]);

  return (
    <Stack spacing={0.5} alignItems="flex-start">
      <RefLink
        entityRef={providerRef}
        defaultKind={PROVIDER_KIND}
        defaultNamespace={defaultNamespace}
      />
      {provider && (
        <>
          <VerificationChip verification={provider.spec.verification} />
          {provider.spec.headquarters && (
            <Typography variant="caption" color="text.secondary">
              {[
                provider.spec.headquarters.city,
                countryLabel(provider.spec.headquarters.country),
              ]
                .filter(Boolean)
                .join(', ')}
            </Typography>
          )}
        </>
      )}
    </Stack>
  );
}
