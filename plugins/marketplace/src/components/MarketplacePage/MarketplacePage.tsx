import { ChangeEvent, useCallback, useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import FormControl from '@mui/material/FormControl';
import Grid from '@mui/material/Grid';
import InputAdornment from '@mui/material/InputAdornment';
import InputLabel from '@mui/material/InputLabel';
import MenuItem from '@mui/material/MenuItem';
import Pagination from '@mui/material/Pagination';
import Select, { SelectChangeEvent } from '@mui/material/Select';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import Typography from '@mui/material/Typography';
import SearchIcon from '@mui/icons-material/Search';
import ViewListIcon from '@mui/icons-material/ViewList';
import ViewModuleIcon from '@mui/icons-material/ViewModule';
import useAsync from 'react-use/esm/useAsync';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  Content,
  ContentHeader,
  EmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import {
  BROWSE_SORTS,
  BrowseSort,
  isModelServiceEntity,
  MARKETPLACE_API_VERSION,
  MODEL_SERVICE_KIND,
  ModelServiceEntityV1alpha1,
} from '@internal/plugin-marketplace-common';
import { marketplaceApiRef } from '../../api';
import {
  clearedParams,
  hasFilters,
  PAGE_SIZE,
  queryFromParams,
  setParam,
  SORT_LABELS,
  toggleValue,
  VIEW_PARAM,
} from './browseParams';
import { FilterSidebar } from './FilterSidebar';
import { ServiceCardGrid, ServiceTable } from '../ServiceCards';
import { RoutesPanel } from '../Routes';

const SEARCH_DEBOUNCE_MS = 300;

const EXAMPLE_YAML = `apiVersion: ${MARKETPLACE_API_VERSION}
kind: ${MODEL_SERVICE_KIND}
metadata:
  name: my-model-service
  title: My Model Service
spec:
  owner: group:default/my-team
  providedBy: provider:default/my-provider
  lifecycle: active
  family: gpt
  # pricing, contextWindow, features, endpoint, geographic,
  # compliance, availability and sla are required too:
  # see examples/services.yaml for a complete service.`;

function NoServices() {
  return (
    <EmptyState
      missing="data"
      title="No model services yet"
      description={`Model services are catalog entities of kind ${MODEL_SERVICE_KIND}. Add one by describing it in a YAML file like the one below and registering that file as a catalog location (for example under catalog.locations in app-config.yaml).`}
      action={
        <Box
          component="pre"
          sx={{
            p: 1.5,
            m: 0,
            borderRadius: 1,
            bgcolor: 'action.hover',
            fontSize: '0.8rem',
            overflowX: 'auto',
          }}
        >
          {EXAMPLE_YAML}
        </Box>
      }
    />
  );
}

function NoMatches(props: { onClear: () => void }) {
  return (
    <EmptyState
      missing="data"
      title="No services match your filters"
      description="Remove some filters or change the search to see more services."
      action={
        <Button variant="contained" onClick={props.onClear}>
          Clear filters
        </Button>
      }
    />
  );
}

/** The search box: edits go to the URL 300 ms after the last keystroke. */
function SearchBox(props: {
  value: string;
  onSearch: (value: string) => void;
}) {
  const { value, onSearch } = props;
  const [text, setText] = useState(value);
  // The URL changed under us (back button, "Clear filters"): show it.
  useEffect(() => setText(value), [value]);
  useEffect(() => {
    if (text.trim() === value) {
      return undefined;
    }
    const timer = setTimeout(() => onSearch(text.trim()), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text, value, onSearch]);
  return (
    <TextField
      size="small"
      type="search"
      label="Search services"
      value={text}
      onChange={(e: ChangeEvent<HTMLInputElement>) => setText(e.target.value)}
      sx={{ flexGrow: 1, minWidth: 200 }}
      InputProps={{
        startAdornment: (
          <InputAdornment position="start">
            <SearchIcon fontSize="small" />
          </InputAdornment>
        ),
      }}
    />
  );
}

function isSort(value: string): value is BrowseSort {
  return (BROWSE_SORTS as readonly string[]).includes(value);
}

/**
 * The marketplace landing page: browse every ModelService with filters, facet
 * counts, search and sort. All of its state is in the URL query string, under
 * the names of the `GET /marketplace/services` query parameters.
 */
export function MarketplacePage() {
  const marketplaceApi = useApi(marketplaceApiRef);
  const catalogApi = useApi(catalogApiRef);
  const [params, setParams] = useSearchParams();

  const query = useMemo(() => queryFromParams(params), [params]);
  const queryKey = JSON.stringify(query);
  const { value, loading, error } = useAsync(
    () => marketplaceApi.browseServices(JSON.parse(queryKey)),
    [marketplaceApi, queryKey],
  );

  // The catalog entities of the page, for Start Using.
  const refsKey = (value?.items ?? []).map(i => i.ref).join('\n');
  const entities = useAsync(async () => {
    const map = new Map<string, ModelServiceEntityV1alpha1>();
    const entityRefs = refsKey ? refsKey.split('\n') : [];
    if (!entityRefs.length) {
      return map;
    }
    const response = await catalogApi.getEntitiesByRefs({ entityRefs });
    response.items.forEach((entity, i) => {
      if (entity && isModelServiceEntity(entity)) {
        map.set(entityRefs[i], entity);
      }
    });
    return map;
  }, [catalogApi, refsKey]);
  // The user's active subscriptions: their cards say "Subscribed" instead of Start Using.
  const subscriptions = useAsyncRetry(
    () => marketplaceApi.listSubscriptions({ status: 'active' }),
    [marketplaceApi],
  );
  const subscribed = useMemo(
    () => new Set((subscriptions.value ?? []).map(s => s.serviceRef)),
    [subscriptions.value],
  );
  const entityMap = useMemo(
    () => entities.value ?? new Map<string, ModelServiceEntityV1alpha1>(),
    [entities.value],
  );

  const update = useCallback(
    (change: (prev: URLSearchParams) => URLSearchParams) =>
      setParams(prev => change(prev)),
    [setParams],
  );
  const onToggle = useCallback(
    (key: string, v: string) => update(prev => toggleValue(prev, key, v)),
    [update],
  );
  const onVerifiedChange = useCallback(
    (verified: boolean) =>
      update(prev => setParam(prev, 'verified', verified ? 'true' : undefined)),
    [update],
  );
  const onSearch = useCallback(
    (q: string) => update(prev => setParam(prev, 'q', q || undefined)),
    [update],
  );
  const onClear = useCallback(() => update(clearedParams), [update]);

  const filtered = hasFilters(params);
  const view = params.get(VIEW_PARAM) === 'table' ? 'table' : 'cards';
  const sort: BrowseSort = query.sort ?? (query.q ? 'relevance' : 'price-asc');
  const offset = query.offset ?? 0;
  const page = Math.floor(offset / PAGE_SIZE) + 1;
  const total = value?.total ?? 0;
  const pageCount = Math.max(1, Math.ceil(total / PAGE_SIZE));

  let body;
  if (loading) {
    body = <Progress />;
  } else if (error) {
    body = <ResponseErrorPanel error={error} />;
  } else if (!value || total === 0) {
    body = filtered ? <NoMatches onClear={onClear} /> : <NoServices />;
  } else if (view === 'table') {
    body = (
      <ServiceTable
        items={value.items}
        entities={entityMap}
        subscribed={subscribed}
        onSubscribed={subscriptions.retry}
      />
    );
  } else {
    body = (
      <ServiceCardGrid
        items={value.items}
        entities={entityMap}
        subscribed={subscribed}
        onSubscribed={subscriptions.retry}
      />
    );
  }

  return (
    <Content>
      <ContentHeader
        title="Model services"
        description="Compare the LLM APIs offered by internal teams and vendors. Prices are in USD per 1,000 tokens."
      />
      <Grid container spacing={3}>
        <Grid item xs={12} md={3} lg={2}>
          <FilterSidebar
            params={params}
            facets={value?.facets}
            onToggle={onToggle}
            onVerifiedChange={onVerifiedChange}
            onClear={filtered ? onClear : undefined}
          />
        </Grid>
        <Grid item xs={12} md={9} lg={10}>
          <Stack
            direction="row"
            spacing={2}
            useFlexGap
            flexWrap="wrap"
            alignItems="center"
            sx={{ mb: 2 }}
          >
            <SearchBox value={query.q ?? ''} onSearch={onSearch} />
            <FormControl size="small" sx={{ minWidth: 200 }}>
              <InputLabel id="marketplace-sort-label">Sort by</InputLabel>
              <Select
                labelId="marketplace-sort-label"
                label="Sort by"
                value={sort}
                onChange={(e: SelectChangeEvent) => {
                  const next = e.target.value;
                  if (isSort(next)) {
                    update(prev => setParam(prev, 'sort', next));
                  }
                }}
              >
                {BROWSE_SORTS.map(s => (
                  <MenuItem key={s} value={s}>
                    {SORT_LABELS[s]}
                  </MenuItem>
                ))}
              </Select>
            </FormControl>
            <ToggleButtonGroup
              size="small"
              exclusive
              value={view}
              aria-label="View"
              onChange={(_e, next: string | null) => {
                if (next) {
                  update(prev =>
                    setParam(
                      prev,
                      VIEW_PARAM,
                      next === 'table' ? 'table' : undefined,
                      { resetPage: false },
                    ),
                  );
                }
              }}
            >
              <ToggleButton value="cards" aria-label="Card view">
                <ViewModuleIcon fontSize="small" />
              </ToggleButton>
              <ToggleButton value="table" aria-label="Table view">
                <ViewListIcon fontSize="small" />
              </ToggleButton>
            </ToggleButtonGroup>
          </Stack>
          <RoutesPanel />
          <Box sx={{ mb: 1, minHeight: 24 }}>
            {value && !error && (
              <Typography
                variant="body2"
                color="text.secondary"
                role="status"
                data-testid="result-count"
              >
                {`${total} service${total === 1 ? '' : 's'} found`}
              </Typography>
            )}
          </Box>
          {body}
          {!loading && !error && total > PAGE_SIZE && (
            <Box sx={{ display: 'flex', justifyContent: 'center', mt: 3 }}>
              <Pagination
                count={pageCount}
                page={Math.min(page, pageCount)}
                onChange={(_e, next: number) =>
                  update(prev =>
                    setParam(
                      prev,
                      'offset',
                      next > 1 ? String((next - 1) * PAGE_SIZE) : undefined,
                      { resetPage: false },
                    ),
                  )
                }
              />
            </Box>
          )}
        </Grid>
      </Grid>
    </Content>
  );
}
