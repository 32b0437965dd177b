import { useState } from 'react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import MenuItem from '@mui/material/MenuItem';
import Stack from '@mui/material/Stack';
import Tab from '@mui/material/Tab';
import Tabs from '@mui/material/Tabs';
import TextField from '@mui/material/TextField';
import AddIcon from '@mui/icons-material/Add';
import useAsync from 'react-use/esm/useAsync';
import { Link as RouterLink, useSearchParams } from 'react-router-dom';
import {
  Content,
  ContentHeader,
  EmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { errorStatus, marketplaceApiRef } from '../../api';
import { PUBLISH_TEMPLATE_PATH } from '../shared/editService';
import { ProviderServicesPage } from '../ProviderPage';
import { AnalyticsSection } from './AnalyticsSection';
import { PayoutsSection } from './PayoutsSection';

type TabId = 'analytics' | 'payouts' | 'services';

/** What the dashboard is for and how to get access, for users who are no providers. */
export function ProviderAccessInfo(props: { error?: Error }) {
  if (props.error) {
    return <ResponseErrorPanel error={props.error} />;
  }
  return (
    <EmptyState
      missing="info"
      title="The provider dashboard is for provider teams"
      description="Members of a provider team publish and edit their team's LLM services here and see their requests, revenue, payouts and customers. To get access, ask a platform admin to add your team to a provider. Your own keys, usage and spend are under My subscriptions."
      action={
        <Button
          variant="outlined"
          component={RouterLink}
          to="/marketplace/subscriptions"
        >
          My subscriptions
        </Button>
      }
    />
  );
}

function teamLabel(ref: string): string {
  return ref.slice(ref.indexOf('/') + 1);
}

/**
 * `/marketplace/provider`: the provider dashboard. A team picker (the provider
 * teams the user may see: their own; every team for admins), then three tabs:
 * Analytics (KPIs, charts, top customers, retention), Payouts (monthly
 * statements, CSV, mark paid for admins) and Services (the team's services in
 * every state, publish and unpublish).
 */
export function ProviderDashboardPage() {
  const api = useApi(marketplaceApiRef);
  const [params, setParams] = useSearchParams();
  const tab: TabId = (['analytics', 'payouts', 'services'] as const).includes(
    params.get('tab') as TabId,
  )
    ? (params.get('tab') as TabId)
    : 'analytics';
  const setTab = (value: TabId) =>
    setParams(
      p => {
        p.set('tab', value);
        return p;
      },
      { replace: true },
    );
  // The role as the backend's permission policy decides it: consumers get an
  // explanation instead of provider API calls that would answer 403.
  const me = useAsync(() => api.getMe(), [api]);
  const isProvider = !!me.value && me.value.role !== 'consumer';
  const teams = useAsync(
    async () => (isProvider ? api.listProviderTeams() : undefined),
    [api, isProvider],
  );
  const [picked, setPicked] = useState<string>();
  const team = picked ?? teams.value?.[0]?.ref;

  if (me.loading) {
    return (
      <Content>
        <Progress />
      </Content>
    );
  }
  if (!isProvider) {
    return (
      <Content>
        <ContentHeader title="Provider dashboard" />
        <ProviderAccessInfo error={me.error} />
      </Content>
    );
  }

  let body;
  if (tab === 'services') {
    body = <ProviderServicesPage embedded />;
  } else if (teams.loading || (!teams.value && !teams.error)) {
    body = <Progress />;
  } else if (teams.error) {
    body =
      errorStatus(teams.error) === 403 ? (
        <EmptyState
          missing="info"
          title="The provider dashboard is for provider teams"
          description="Members of provider teams see the requests, revenue, payouts and customers of their services here; platform admins see every team. Your own usage and spend are under My subscriptions."
        />
      ) : (
        <ResponseErrorPanel error={teams.error} />
      );
  } else if (!team) {
    body = (
      <EmptyState
        missing="content"
        title="Your teams offer no services yet"
        description="Once a service of your team is published, its requests, revenue, payouts and customers show up here."
        action={
          <Button
            variant="contained"
            component={RouterLink}
            to={PUBLISH_TEMPLATE_PATH}
          >
            Publish a service
          </Button>
        }
      />
    );
  } else if (tab === 'analytics') {
    body = <AnalyticsSection key={team} team={team} />;
  } else {
    body = <PayoutsSection key={team} team={team} />;
  }

  return (
    <Content>
      <ContentHeader
        title="Provider dashboard"
        description="Requests, tokens, revenue, errors, latency, ratings, customers and payouts of your team's services, from the usage ledger."
      >
        <Button
          variant="contained"
          startIcon={<AddIcon />}
          component={RouterLink}
          to={PUBLISH_TEMPLATE_PATH}
        >
          Publish a service
        </Button>
      </ContentHeader>
      <Stack spacing={2}>
        <Stack
          direction="row"
          spacing={2}
          alignItems="center"
          flexWrap="wrap"
          useFlexGap
        >
          {teams.value && teams.value.length > 0 && (
            <TextField
              select
              size="small"
              label="Team"
              value={team ?? ''}
              onChange={e => setPicked(e.target.value)}
              sx={{ minWidth: 240 }}
            >
              {teams.value.map(t => (
                <MenuItem key={t.ref} value={t.ref}>
                  {teamLabel(t.ref)} ({t.serviceCount} service
                  {t.serviceCount === 1 ? '' : 's'})
                </MenuItem>
              ))}
            </TextField>
          )}
          <Box sx={{ flexGrow: 1 }}>
            <Tabs
              value={tab}
              onChange={(_e, value) => setTab(value)}
              aria-label="Provider dashboard sections"
            >
              <Tab label="Analytics" value="analytics" />
              <Tab label="Payouts" value="payouts" />
              <Tab label="Services" value="services" />
            </Tabs>
          </Box>
        </Stack>
        {body}
      </Stack>
    </Content>
  );
}
