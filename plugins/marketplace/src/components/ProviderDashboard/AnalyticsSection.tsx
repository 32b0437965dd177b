import { useMemo, useState } from 'react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import MenuItem from '@mui/material/MenuItem';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import useAsync from 'react-use/esm/useAsync';
import { Link as RouterLink } from 'react-router-dom';
import {
  EmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import {
  AnalyticsGranularity,
  AnalyticsService,
  AnalyticsTotals,
  ANALYTICS_LIMITS,
} from '@internal/plugin-marketplace-common';
import { marketplaceApiRef } from '../../api';
import { RANGE_PRESETS } from '../Analytics';
import { DAY_MS, isoDay } from '../shared/dates';
import { AnalyticsCharts } from './AnalyticsCharts';
import { AnalyticsKpis } from './AnalyticsKpis';
import {
  CustomersTable,
  ProtocolTrafficTable,
  Retention,
  RouteTrafficTable,
} from './AnalyticsTables';

function hasTraffic(t: AnalyticsTotals) {
  return t.requests > 0;
}

/**
 * The analytics of a provider team: range, granularity and service pickers,
 * KPI tiles with the change against the previous period, charts per service,
 * top customers and retention. Every number comes from the ledger (through
 * `GET /v1/provider/analytics`).
 */
export function AnalyticsSection(props: { team: string }) {
  const api = useApi(marketplaceApiRef);
  const [days, setDays] = useState<number>(30);
  const [granularity, setGranularity] = useState<AnalyticsGranularity>('day');
  const [service, setService] = useState('');
  const [known, setKnown] = useState<AnalyticsService[]>([]);
  const effectiveGranularity =
    granularity === 'hour' && days > ANALYTICS_LIMITS.maxHourlyRangeDays
      ? 'day'
      : granularity;
  const range = useMemo(() => {
    const today = Date.now() - (Date.now() % DAY_MS);
    return { from: isoDay(today - (days - 1) * DAY_MS), to: isoDay(today) };
  }, [days]);
  const analytics = useAsync(async () => {
    const result = await api.getProviderAnalytics({
      team: props.team,
      ...range,
      granularity: effectiveGranularity,
      service: service || undefined,
    });
    if (!service) {
      setKnown(result.services);
    }
    return result;
  }, [api, props.team, range, effectiveGranularity, service]);

  const controls = (
    <Stack direction="row" spacing={2} flexWrap="wrap" useFlexGap>
      <TextField
        select
        size="small"
        label="Period"
        value={days}
        onChange={e => setDays(Number(e.target.value))}
        sx={{ minWidth: 180 }}
      >
        {RANGE_PRESETS.map(p => (
          <MenuItem key={p.days} value={p.days}>
            {p.label}
          </MenuItem>
        ))}
      </TextField>
      <TextField
        select
        size="small"
        label="Per"
        value={effectiveGranularity}
        onChange={e => setGranularity(e.target.value as AnalyticsGranularity)}
        sx={{ minWidth: 120 }}
      >
        <MenuItem
          value="hour"
          disabled={days > ANALYTICS_LIMITS.maxHourlyRangeDays}
        >
          Hour
        </MenuItem>
        <MenuItem value="day">Day</MenuItem>
        <MenuItem value="month">Month</MenuItem>
      </TextField>
      <TextField
        select
        size="small"
        label="Service"
        value={service}
        onChange={e => setService(e.target.value)}
        sx={{ minWidth: 260 }}
      >
        <MenuItem value="">All services</MenuItem>
        {known.map(s => (
          <MenuItem key={s.ref} value={s.name}>
            {s.title}
          </MenuItem>
        ))}
      </TextField>
      {analytics.value && (
        <Typography
          variant="body2"
          color="text.secondary"
          sx={{ alignSelf: 'center' }}
        >
          {analytics.value.range.from} to {analytics.value.range.to} (UTC)
        </Typography>
      )}
    </Stack>
  );

  let body;
  if (analytics.loading && !analytics.value) {
    body = <Progress />;
  } else if (analytics.error) {
    body = <ResponseErrorPanel error={analytics.error} />;
  } else if (analytics.value) {
    const data = analytics.value;
    const first = data.services.find(s => s) ?? known[0];
    let main;
    if (data.services.length === 0) {
      main = (
        <EmptyState
          missing="content"
          title="This team offers no services yet"
          description="Publish a service; its requests, revenue and customers show up here."
        />
      );
    } else if (!hasTraffic(data.totals)) {
      main = (
        <EmptyState
          missing="data"
          title="No traffic yet in this period"
          description={`None of these services received a request through the gateway between ${
            data.range.from
          } and ${data.range.to}${
            hasTraffic(data.previousTotals)
              ? ' (the previous period had some: pick a longer period)'
              : ''
          }. Try Test API on a service's API tab: every request shows up here at once.`}
          action={
            first && (
              <Button
                variant="contained"
                component={RouterLink}
                to={`/catalog/default/modelservice/${first.name}/api`}
              >
                Try Test API on {first.title}
              </Button>
            )
          }
        />
      );
    } else {
      main = (
        <>
          <AnalyticsCharts data={data} />
          <Box
            sx={{
              display: 'grid',
              gap: 3,
              // Side by side only where each has room for its six columns:
              // at 1280 and 1440 px half the page squeezed them into a
              // sideways scroll and names onto two lines.
              gridTemplateColumns: {
                xs: '1fr',
                xl: 'repeat(2, minmax(0, 1fr))',
              },
            }}
          >
            <CustomersTable
              title="Top customers (users)"
              customers={data.topUsers}
              kind="User"
              days={data.range.days}
              empty="No users in this period."
            />
            <CustomersTable
              title="Top customers (teams)"
              customers={data.topTeams}
              kind="Group"
              days={data.range.days}
              empty="Nobody billed a team in this period: all usage was personal."
            />
          </Box>
        </>
      );
    }
    body = (
      <Stack spacing={3}>
        <AnalyticsKpis data={data} />
        {main}
        {(data.protocolTraffic?.length ?? 0) > 0 && (
          <ProtocolTrafficTable rows={data.protocolTraffic!} />
        )}
        {data.routeTraffic?.length > 0 && (
          <RouteTrafficTable rows={data.routeTraffic} />
        )}
        {data.services.length > 0 && <Retention months={data.retention} />}
      </Stack>
    );
  }

  return (
    <Stack spacing={3}>
      {controls}
      {body}
    </Stack>
  );
}
