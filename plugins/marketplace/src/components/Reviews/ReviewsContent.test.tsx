import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import {
  ServiceReview,
  ServiceReviewsResponse,
} from '@internal/plugin-marketplace-common';
import { marketplaceApiRef } from '../../api';
import { mockMarketplaceApi } from '../../__fixtures__/marketplaceApi';
import { fullModelService } from '../../__fixtures__/entities';
import { ReviewsContent } from './ReviewsContent';

const mountedRoutes = { '/catalog/:namespace/:kind/:name': entityRouteRef };

function review(over: Partial<ServiceReview>): ServiceReview {
  return {
    id: 'r1',
    serviceRef: 'modelservice:default/acme-gpt-4o',
    userRef: 'user:default/dana',
    rating: 4,
    title: 'Solid',
    text: 'Works well.',
    verifiedRequests: 3,
    helpfulCount: 2,
    votedHelpful: false,
    mine: false,
    createdAt: '2026-11-20T10:00:00.000Z',
    updatedAt: '2026-11-20T10:00:00.000Z',
    reply: null,
    hidden: null,
    ...over,
  };
}

function page(
  over: Partial<ServiceReviewsResponse> = {},
): ServiceReviewsResponse {
  return {
    summary: {
      average: 3.67,
      count: 3,
      distribution: { '1': 0, '2': 1, '3': 0, '4': 1, '5': 1 },
    },
    items: [
      review({}),
      review({
        id: 'r2',
        userRef: 'user:default/eve',
        rating: 5,
        title: '<b>Fast</b>',
        text: '<img src=x onerror=alert(1)>\nline two',
      }),
    ],
    total: 3,
    offset: 0,
    limit: 10,
    me: {
      canReview: true,
      reason: null,
      review: null,
      canReply: false,
      canModerate: false,
    },
    ...over,
  };
}

async function render(api = mockMarketplaceApi()) {
  await renderInTestApp(
    <EntityProvider entity={fullModelService}>
      <ReviewsContent />
    </EntityProvider>,
    { mountedRoutes, apis: [[marketplaceApiRef, api]] },
  );
  return api;
}

describe('ReviewsContent', () => {
  it('shows the rating summary with its distribution, and the reviews as text', async () => {
    const api = mockMarketplaceApi({
      listReviews: jest.fn().mockResolvedValue(page()),
    });
    const { container } = { container: document.body };
    await render(api);
    expect(await screen.findByTestId('rating-average')).toHaveTextContent(
      '3.7',
    );
    expect(screen.getByTestId('rating-count')).toHaveTextContent('3 reviews');
    expect(screen.getByLabelText('5 stars: 1')).toBeInTheDocument();
    expect(screen.getByLabelText('3 stars: 0')).toBeInTheDocument();
    const reviews = screen.getAllByTestId('review');
    expect(reviews).toHaveLength(2);
    expect(
      within(reviews[0]).getByText('Verified usage · 3 requests'),
    ).toBeInTheDocument();
    // Markup in a review is text, never HTML.
    expect(within(reviews[1]).getByText('<b>Fast</b>')).toBeInTheDocument();
    expect(
      within(reviews[1]).getByText(/<img src=x onerror=alert\(1\)>/),
    ).toBeInTheDocument();
    expect(container.querySelector('img[src="x"]')).toBeNull();
    expect(container.querySelector('article b')).toBeNull();
    // More to load.
    await userEvent.click(
      screen.getByRole('button', { name: 'Show more reviews' }),
    );
    expect(api.listReviews).toHaveBeenLastCalledWith('acme-gpt-4o', {
      sort: 'newest',
      offset: 2,
      limit: 10,
    });
  });

  it('says why a user cannot review yet and links to Test API', async () => {
    await render();
    expect(
      await screen.findByText('Make a successful request first.'),
    ).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Test API' })).toHaveAttribute(
      'href',
      '/catalog/default/modelservice/acme-gpt-4o/api',
    );
    expect(screen.queryByRole('form')).not.toBeInTheDocument();
  });

  it('posts a review only with stars and a title, trimmed', async () => {
    const api = mockMarketplaceApi({
      listReviews: jest.fn().mockResolvedValue(page()),
      writeReview: jest.fn().mockResolvedValue({}),
    });
    await render(api);
    const form = within(
      await screen.findByRole('form', { name: 'Write a review' }),
    );
    await userEvent.click(form.getByRole('button', { name: 'Post review' }));
    expect(form.getByText('Choose 1 to 5 stars')).toBeInTheDocument();
    expect(form.getByText('Give your review a title')).toBeInTheDocument();
    expect(api.writeReview).not.toHaveBeenCalled();

    fireEvent.click(form.getByRole('radio', { name: '4 Stars' }));
    await userEvent.type(
      form.getByRole('textbox', { name: /Title/ }),
      '  Good value  ',
    );
    await userEvent.type(
      form.getByRole('textbox', { name: /Your experience/ }),
      'Cheap and quick.',
    );
    await userEvent.click(form.getByRole('button', { name: 'Post review' }));
    expect(api.writeReview).toHaveBeenCalledWith('acme-gpt-4o', {
      rating: 4,
      title: 'Good value',
      text: 'Cheap and quick.',
    });
    await waitFor(() => expect(api.listReviews).toHaveBeenCalledTimes(2));
  });

  it('edits and deletes one’s own review; never votes for it', async () => {
    const mine = review({ id: 'mine', mine: true, userRef: 'user:default/me' });
    const api = mockMarketplaceApi({
      listReviews: jest
        .fn()
        .mockResolvedValue(
          page({ items: [mine], me: { ...page().me, review: mine } }),
        ),
      deleteReview: jest.fn().mockResolvedValue({}),
    });
    await render(api);
    const form = within(
      await screen.findByRole('form', { name: 'Edit your review' }),
    );
    expect(form.getByRole('textbox', { name: /Title/ })).toHaveValue('Solid');
    expect(
      within(screen.getByTestId('review')).getByRole('button', {
        name: /Helpful/,
      }),
    ).toBeDisabled();
    await userEvent.click(form.getByRole('button', { name: 'Delete review' }));
    await userEvent.click(
      within(await screen.findByRole('dialog')).getByRole('button', {
        name: 'Delete',
      }),
    );
    expect(api.deleteReview).toHaveBeenCalledWith('acme-gpt-4o', 'mine');
  });

  it('votes helpful, lets owners reply and admins hide with a reason', async () => {
    const api = mockMarketplaceApi({
      listReviews: jest
        .fn()
        .mockResolvedValue(
          page({ me: { ...page().me, canReply: true, canModerate: true } }),
        ),
      voteReview: jest.fn().mockResolvedValue({}),
      replyToReview: jest.fn().mockResolvedValue({}),
      hideReview: jest.fn().mockResolvedValue({}),
    });
    await render(api);
    const first = within((await screen.findAllByTestId('review'))[0]);
    await userEvent.click(first.getByRole('button', { name: 'Helpful (2)' }));
    expect(api.voteReview).toHaveBeenCalledWith('acme-gpt-4o', 'r1', true);

    await userEvent.click(first.getByRole('button', { name: 'Reply' }));
    await userEvent.type(
      first.getByRole('textbox', { name: 'Reply as the provider' }),
      'Thanks!',
    );
    await userEvent.click(first.getByRole('button', { name: 'Publish reply' }));
    expect(api.replyToReview).toHaveBeenCalledWith(
      'acme-gpt-4o',
      'r1',
      'Thanks!',
    );

    await userEvent.click(first.getByRole('button', { name: 'Hide' }));
    const dialog = within(
      await screen.findByRole('dialog', { name: 'Hide this review?' }),
    );
    expect(dialog.getByRole('button', { name: 'Hide' })).toBeDisabled();
    await userEvent.type(
      dialog.getByRole('textbox', { name: /Reason/ }),
      'Spam',
    );
    await userEvent.click(dialog.getByRole('button', { name: 'Hide' }));
    expect(api.hideReview).toHaveBeenCalledWith('acme-gpt-4o', 'r1', 'Spam');
  });
});
