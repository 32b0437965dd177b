import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import useAsync from 'react-use/esm/useAsync';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/frontend-plugin-api';
import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import {
  catalogApiRef,
  EntityInfoCard,
  EntityRefLink,
  useEntity,
} from '@backstage/plugin-catalog-react';
import {
  formatMicros,
  isModelServiceEntity,
  MODEL_SERVICE_KIND,
  RELATION_PROVIDED_BY,
} from '@internal/plugin-marketplace-common';
import { familyLabel, formatTokenCount, INPUT_ONLY_LABEL } from '../../format';
import { LifecycleChip } from '../shared/chips';
import { dataTableSx } from '../shared/tables';

const CARD_TITLE = 'Model services offered';

/**
 * Lists the ModelService entities provided by the current Provider entity, found
 * through the `providedBy` relations our catalog processor emits.
 */
export function ProviderServicesCard() {
  const { entity } = useEntity();
  const catalogApi = useApi(catalogApiRef);
  const providerRef = stringifyEntityRef(entity);

  const { value, loading, error } = useAsync(async () => {
    const response = await catalogApi.getEntities({
      filter: {
        kind: MODEL_SERVICE_KIND,
        [`relations.${RELATION_PROVIDED_BY}`]: providerRef,
      },
    });
    return response.items
      .filter(isModelServiceEntity)
      .sort((a, b) =>
        (a.metadata.title ?? a.metadata.name).localeCompare(
          b.metadata.title ?? b.metadata.name,
        ),
      );
  }, [catalogApi, providerRef]);

  let content;
  if (loading) {
    content = <Progress />;
  } else if (error) {
    content = <ResponseErrorPanel error={error} />;
  } else if (!value?.length) {
    content = (
      <Typography variant="body2" color="text.secondary">
        This provider does not offer any model services yet. Services reference
        their provider with <code>spec.providedBy</code>.
      </Typography>
    );
  } else {
    content = (
      <Table size="small" sx={dataTableSx} aria-label={CARD_TITLE}>
        <TableHead>
          <TableRow sx={{ '& th': { whiteSpace: 'nowrap' } }}>
            <TableCell>Service</TableCell>
            <TableCell>Family</TableCell>
            <TableCell>Context</TableCell>
            <TableCell align="right">Prompt / 1K</TableCell>
            <TableCell align="right">Completion / 1K</TableCell>
            <TableCell>Lifecycle</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {value.map(service => (
            <TableRow key={stringifyEntityRef(service)}>
              <TableCell>
                <EntityRefLink entityRef={service} hideIcon />
              </TableCell>
              <TableCell>{familyLabel(service.spec.family)}</TableCell>
              <TableCell>
                {formatTokenCount(service.spec.contextWindow)}
              </TableCell>
              <TableCell align="right">
                {formatMicros(service.spec.pricing.promptPer1kMicros)}
              </TableCell>
              <TableCell align="right">
                {service.spec.features?.embeddings
                  ? INPUT_ONLY_LABEL
                  : formatMicros(service.spec.pricing.completionPer1kMicros)}
              </TableCell>
              <TableCell>
                <LifecycleChip lifecycle={service.spec.lifecycle} />
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    );
  }

  return <EntityInfoCard title={CARD_TITLE}>{content}</EntityInfoCard>;
}
