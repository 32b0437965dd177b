import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Route, Routes, useLocation } from 'react-router-dom';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { ManagedService } from '@internal/plugin-marketplace-common';
import { marketplaceApiRef } from '../../api';
import { mockMarketplaceApi } from '../../__fixtures__/marketplaceApi';
import { fullModelService } from '../../__fixtures__/entities';
import { ProviderServicesPage } from './ProviderServicesPage';

const mountedRoutes = { '/catalog/:namespace/:kind/:name': entityRouteRef };

/** Where a redirect led. */
function PathAndQuery() {
  const location = useLocation();
  return <div data-testid="at">{`${location.pathname}${location.search}`}</div>;
}

function managed(
  name: string,
  publication: Partial<ManagedService['publication']>,
  location: string | null = null,
  changeInReview = false,
  changeRejected: ManagedService['changeRejected'] = null,
): ManagedService {
  return {
    id: `id-${name}`,
    name,
    entityRef: `modelservice:default/${name}`,
    location,
    createdBy: 'user:default/samira.haddad',
    createdAt: '2026-11-20T10:00:00.000Z',
    updatedAt: '2026-11-20T10:00:00.000Z',
    changeInReview,
    changeRejected,
    entity: {
      ...fullModelService,
      metadata: { ...fullModelService.metadata, name, title: undefined },
    },
    publication: {
      status: 'approved',
      reason: null,
      submittedAt: '2026-11-20T10:00:00.000Z',
      decidedBy: null,
      decidedAt: null,
      source: location ? 'catalog' : 'portal',
      unpublishedAt: null,
      sunsetAt: null,
      successor: null,
      ...publication,
    },
  };
}

describe('ProviderServicesPage', () => {
  it('edits portal services in the publish form and sends YAML services to their repository', async () => {
    const api = mockMarketplaceApi({
      listManagedServices: jest
        .fn()
        .mockResolvedValue([
          managed('svc-portal', {}),
          managed('svc-yaml', {}, 'url:https://git.example/catalog-info.yaml'),
        ]),
    });
    await renderInTestApp(<ProviderServicesPage />, {
      mountedRoutes,
      apis: [[marketplaceApiRef, api]],
    });
    const [portal, yaml] = await screen.findAllByTestId('managed-service-row');
    const edit = within(portal).getByRole('link', { name: 'Edit svc-portal' });
    const href = new URL(edit.getAttribute('href')!, 'http://portal');
    expect(href.pathname).toBe('/create/templates/default/publish-llm-service');
    const form = JSON.parse(href.searchParams.get('formData')!);
    expect(form).toMatchObject({
      editing: 'svc-portal',
      name: 'svc-portal',
      endpointUrl: fullModelService.spec.endpoint.baseUrl,
    });

    expect(
      within(yaml).queryByRole('link', { name: 'Edit svc-yaml' }),
    ).toBeNull();
    expect(
      within(yaml).getByRole('link', {
        name: 'Edit svc-yaml in its repository',
      }),
    ).toHaveAttribute('href', 'https://git.example/catalog-info.yaml');
    expect(
      within(yaml).getByText('Source of truth: the YAML in your repository'),
    ).toBeInTheDocument();
  });

  describe("the About card's Edit (?edit=<name>)", () => {
    const services = () =>
      mockMarketplaceApi({
        listManagedServices: jest
          .fn()
          .mockResolvedValue([
            managed('svc-portal', {}),
            managed(
              'svc-yaml',
              {},
              'url:https://git.example/catalog-info.yaml',
            ),
          ]),
      });
    const at = (path: string) =>
      renderInTestApp(
        <Routes>
          <Route
            path="/marketplace/provider"
            element={<ProviderServicesPage />}
          />
          <Route
            path="/create/templates/default/publish-llm-service"
            element={<PathAndQuery />}
          />
        </Routes>,
        {
          mountedRoutes,
          apis: [[marketplaceApiRef, services()]],
          initialRouteEntries: [path],
        },
      );

    it('opens the publish form, filled in, for a portal service of the team', async () => {
      await at('/marketplace/provider?tab=services&edit=svc-portal');
      const form = JSON.parse(
        new URLSearchParams(
          (await screen.findByTestId('at')).textContent!.split('?')[1],
        ).get('formData')!,
      );
      expect(form).toMatchObject({ editing: 'svc-portal', name: 'svc-portal' });
    });

    it('says the YAML is the source of truth, with a link to it', async () => {
      await at('/marketplace/provider?tab=services&edit=svc-yaml');
      const notice = await screen.findByTestId('edit-notice');
      expect(notice).toHaveTextContent(
        'svc-yaml is defined in catalog YAML: the YAML in your repository is the source of truth',
      );
      expect(
        within(notice).getByRole('link', { name: 'Open its YAML' }),
      ).toHaveAttribute('href', 'https://git.example/catalog-info.yaml');
    });

    it("tells who may edit another team's service", async () => {
      await at('/marketplace/provider?tab=services&edit=svc-other');
      expect(await screen.findByTestId('edit-notice')).toHaveTextContent(
        'Only the team that owns svc-other can edit it',
      );
    });
  });

  it('lists the teams’ services in every state', async () => {
    const api = mockMarketplaceApi({
      listManagedServices: jest.fn().mockResolvedValue([
        managed('svc-live', {}, null, true),
        managed('svc-pending', { status: 'pending' }),
        managed('svc-rejected', {
          status: 'rejected',
          reason: 'Missing compliance details',
        }),
        managed(
          'svc-unpublished',
          {
            unpublishedAt: '2026-11-21T10:00:00.000Z',
            sunsetAt: '2099-01-01T00:00:00.000Z',
          },
          'url:https://git.example/catalog-info.yaml',
        ),
        managed('svc-change-rejected', {}, null, false, {
          reason: 'The new endpoint is outside our network',
          decidedBy: 'user:default/ada',
          decidedAt: '2026-11-22T10:00:00.000Z',
        }),
      ]),
    });
    await renderInTestApp(<ProviderServicesPage />, {
      mountedRoutes,
      apis: [[marketplaceApiRef, api]],
    });
    const rows = await screen.findAllByTestId('managed-service-row');
    expect(rows).toHaveLength(5);
    // A rejected change leaves the approved version live, and says why.
    expect(within(rows[4]).getByText('Live')).toBeInTheDocument();
    expect(
      within(rows[4]).getByText(
        /Your last change was rejected: The new endpoint is outside our network/,
      ),
    ).toBeInTheDocument();
    expect(
      within(rows[4]).queryByText(/Your change waits for review/),
    ).not.toBeInTheDocument();
    expect(within(rows[0]).getByText('Live')).toBeInTheDocument();
    // An edit of what the approval holds for waits; the approved version is live.
    expect(
      within(rows[0]).getByText(
        'Your change waits for review: subscribers keep the approved version',
      ),
    ).toBeInTheDocument();
    expect(
      within(rows[1]).queryByText(/Your change waits for review/),
    ).not.toBeInTheDocument();
    expect(within(rows[1]).getByText('Pending approval')).toBeInTheDocument();
    expect(within(rows[2]).getByText('Rejected')).toBeInTheDocument();
    expect(
      within(rows[2]).getByText('Missing compliance details'),
    ).toBeInTheDocument();
    expect(within(rows[3]).getByText('Unpublished')).toBeInTheDocument();
    expect(within(rows[3]).getByText('Catalog YAML')).toBeInTheDocument();
    expect(
      within(rows[3]).getByText('Served until Jan 1, 2099, 00:00 UTC'),
    ).toBeInTheDocument();
    expect(
      within(rows[3]).queryByRole('button', { name: /Unpublish/ }),
    ).not.toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: /Publish a service/ }),
    ).toHaveAttribute('href', '/create/templates/default/publish-llm-service');
  });

  it('unpublishes with a sunset date in the future', async () => {
    const api = mockMarketplaceApi({
      listManagedServices: jest
        .fn()
        .mockResolvedValue([managed('svc-live', {})]),
      unpublishService: jest
        .fn()
        .mockResolvedValue({ service: {}, notifiedSubscribers: 3 }),
    });
    await renderInTestApp(<ProviderServicesPage />, {
      mountedRoutes,
      apis: [[marketplaceApiRef, api]],
    });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Unpublish svc-live' }),
    );
    const dialog = within(await screen.findByRole('dialog'));
    const date = dialog.getByLabelText('Sunset (UTC)');
    await userEvent.clear(date);
    await userEvent.type(date, '2001-01-01');
    expect(dialog.getByRole('button', { name: 'Unpublish' })).toBeDisabled();
    expect(
      dialog.getByText('A date after today, at most a year ahead'),
    ).toBeInTheDocument();
    const inTwoWeeks = new Date(Date.now() + 14 * 86_400_000)
      .toISOString()
      .slice(0, 10);
    await userEvent.clear(date);
    await userEvent.type(date, inTwoWeeks);
    await userEvent.click(dialog.getByRole('button', { name: 'Unpublish' }));
    expect(api.unpublishService).toHaveBeenCalledWith('id-svc-live', {
      sunsetAt: `${inTwoWeeks}T00:00:00.000Z`,
    });
    await waitFor(() =>
      expect(api.listManagedServices).toHaveBeenCalledTimes(2),
    );
  });

  it('explains how to publish when the teams have no services', async () => {
    await renderInTestApp(<ProviderServicesPage />, {
      mountedRoutes,
      apis: [[marketplaceApiRef, mockMarketplaceApi()]],
    });
    expect(
      await screen.findByText('Your teams publish no services yet'),
    ).toBeInTheDocument();
  });
});
