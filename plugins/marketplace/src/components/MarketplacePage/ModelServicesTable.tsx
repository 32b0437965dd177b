import { useMemo } from 'react';
import Chip from '@mui/material/Chip';
import Stack from '@mui/material/Stack';
import CheckCircleIcon from '@mui/icons-material/CheckCircle';
import { Link, Table, TableColumn } from '@backstage/core-components';
import { useRouteRef } from '@backstage/frontend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import {
  formatMicros,
  ModelServiceEntityV1alpha1,
  PROVIDER_KIND,
} from '@internal/plugin-marketplace-common';
import {
  enabledFeatureLabels,
  familyLabel,
  formatTokenCount,
  regionLabel,
} from '../../format';
import { LifecycleChip } from '../shared/chips';
import { toEntityRef } from '../shared/refs';
import { StartUsingAction } from '../StartUsing';
import { subscriptionsRouteRef } from '../../routes';

/** One table row; the string fields drive the table's search, sort and filters. */
export type ModelServiceRow = {
  id: string;
  entity: ModelServiceEntityV1alpha1;
  name: string;
  family: string;
  provider: string;
  providerRef?: string;
  contextWindow: number;
  contextWindowText: string;
  promptPer1kMicros: number;
  completionPer1kMicros: number;
  features: string[];
  region: string;
  lifecycle: string;
};

export function toRow(entity: ModelServiceEntityV1alpha1): ModelServiceRow {
  const spec = entity.spec;
  const providerRef = toEntityRef(
    spec.providedBy,
    PROVIDER_KIND,
    entity.metadata.namespace,
  );
  const geo = spec.geographic;
  return {
    id: stringifyEntityRef(entity),
    entity,
    name: entity.metadata.title ?? entity.metadata.name,
    family: familyLabel(spec.family),
    provider: providerRef?.name ?? spec.providedBy ?? '',
    providerRef: providerRef ? stringifyEntityRef(providerRef) : undefined,
    contextWindow: spec.contextWindow,
    contextWindowText: formatTokenCount(spec.contextWindow),
    promptPer1kMicros: spec.pricing?.promptPer1kMicros,
    completionPer1kMicros: spec.pricing?.completionPer1kMicros,
    features: enabledFeatureLabels(spec.features),
    region: geo
      ? `${regionLabel(geo.region)}${geo.country ? ` (${geo.country})` : ''}`
      : '',
    lifecycle: spec.lifecycle,
  };
}

function includesText(value: unknown, search: string): boolean {
  return String(value ?? '')
    .toLocaleLowerCase('en-US')
    .includes(search.toLocaleLowerCase('en-US'));
}

const baseColumns: TableColumn<ModelServiceRow>[] = [
  {
    title: 'Name',
    field: 'name',
    highlight: true,
    cellStyle: { minWidth: 160 },
    render: row => <EntityRefLink entityRef={row.entity} hideIcon />,
  },
  { title: 'Family', field: 'family' },
  {
    title: 'Provider',
    field: 'provider',
    render: row =>
      row.providerRef ? (
        <EntityRefLink entityRef={row.providerRef} hideIcon />
      ) : (
        row.provider
      ),
  },
  {
    title: 'Context window',
    field: 'contextWindow',
    type: 'numeric',
    render: row => row.contextWindowText,
    customFilterAndSearch: (search, row) =>
      includesText(row.contextWindowText, search),
  },
  {
    title: 'Prompt / 1K tokens',
    field: 'promptPer1kMicros',
    type: 'numeric',
    render: row => formatMicros(row.promptPer1kMicros),
    customFilterAndSearch: (search, row) =>
      includesText(formatMicros(row.promptPer1kMicros), search),
  },
  {
    title: 'Completion / 1K tokens',
    field: 'completionPer1kMicros',
    type: 'numeric',
    render: row => formatMicros(row.completionPer1kMicros),
    customFilterAndSearch: (search, row) =>
      includesText(formatMicros(row.completionPer1kMicros), search),
  },
  {
    title: 'Features',
    field: 'features',
    sorting: false,
    render: row => row.features.join(', '),
    customFilterAndSearch: (search, row) =>
      row.features.some(f => includesText(f, search)),
  },
  { title: 'Region', field: 'region' },
  {
    title: 'Lifecycle',
    field: 'lifecycle',
    render: row => <LifecycleChip lifecycle={row.lifecycle} />,
  },
];

function SubscribedChip() {
  const subscriptionsLink = useRouteRef(subscriptionsRouteRef);
  const chip = (
    <Chip
      size="small"
      color="success"
      variant="outlined"
      icon={<CheckCircleIcon />}
      label="Subscribed"
      clickable={!!subscriptionsLink}
    />
  );
  return subscriptionsLink ? (
    <Link to={subscriptionsLink()} underline="none">
      {chip}
    </Link>
  ) : (
    chip
  );
}

export type ModelServicesTableProps = {
  entities: ModelServiceEntityV1alpha1[];
  /** Entity refs of the services the user subscribes to. */
  subscribedRefs?: ReadonlySet<string>;
  /** Shows a "Start Using" button per row when set. */
  onStartUsing?: (entity: ModelServiceEntityV1alpha1) => void;
};

export function ModelServicesTable(props: ModelServicesTableProps) {
  const { entities, subscribedRefs, onStartUsing } = props;
  const rows = useMemo(
    () =>
      entities.map(toRow).sort((a, b) => a.name.localeCompare(b.name, 'en')),
    [entities],
  );
  const columns = useMemo<TableColumn<ModelServiceRow>[]>(() => {
    if (!onStartUsing) {
      return baseColumns;
    }
    // Under the name rather than in a column of its own: the table has no
    // width to spare, and the action must stay visible.
    const [name, ...rest] = baseColumns;
    return [
      {
        ...name,
        render: row => (
          <Stack spacing={0.75} alignItems="flex-start">
            <EntityRefLink entityRef={row.entity} hideIcon />
            {subscribedRefs?.has(row.id) ? (
              <SubscribedChip />
            ) : (
              <StartUsingAction
                entity={row.entity}
                size="small"
                variant="outlined"
                onClick={() => onStartUsing(row.entity)}
              />
            )}
          </Stack>
        ),
      },
      ...rest,
    ];
  }, [onStartUsing, subscribedRefs]);
  return (
    <Table<ModelServiceRow>
      title={`All services (${rows.length})`}
      columns={columns}
      data={rows}
      filters={[
        { column: 'Family', type: 'multiple-select' },
        { column: 'Provider', type: 'multiple-select' },
        { column: 'Features', type: 'multiple-select' },
        { column: 'Region', type: 'multiple-select' },
        { column: 'Lifecycle', type: 'multiple-select' },
      ]}
      options={{
        search: true,
        paging: rows.length > 20,
        pageSize: 20,
        padding: 'dense',
      }}
    />
  );
}
