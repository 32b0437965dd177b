import { ReasonDialog } from '../shared/ReasonDialog';
import { useCallback, useEffect, useState } from 'react';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import FormControl from '@mui/material/FormControl';
import InputLabel from '@mui/material/InputLabel';
import MenuItem from '@mui/material/MenuItem';
import Select from '@mui/material/Select';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { Link as RouterLink } from 'react-router-dom';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { toastApiRef, useApi } from '@backstage/frontend-plugin-api';
import { useEntity, useEntityRefLink } from '@backstage/plugin-catalog-react';
import {
  isModelServiceEntity,
  REVIEW_LIMITS,
  ReviewRequest,
  ReviewSort,
  ServiceReview,
  ServiceReviewsResponse,
} from '@internal/plugin-marketplace-common';
import { errorMessage, marketplaceApiRef } from '../../api';
import { ConfirmDialog } from '../shared/ConfirmDialog';
import { ReviewForm } from './ReviewForm';
import { ReviewItem } from './ReviewItem';
import { ReviewSummaryView } from './ReviewSummaryCard';

const PAGE = 10;

const SORT_LABELS: Record<ReviewSort, string> = {
  newest: 'Newest',
  helpful: 'Most helpful',
  'rating-desc': 'Highest rating',
  'rating-asc': 'Lowest rating',
};

/** The Reviews tab of a ModelService. */
export function ReviewsContent() {
  const { entity } = useEntity();
  if (!isModelServiceEntity(entity)) {
    return null;
  }
  return <ServiceReviews name={entity.metadata.name} />;
}

function HideDialog(props: {
  review: ServiceReview | undefined;
  busy: boolean;
  onHide: (reason: string) => void;
  onCancel: () => void;
}) {
  return (
    <ReasonDialog
      open={!!props.review}
      id="hide-review-title"
      title="Hide this review?"
      confirmLabel="Hide"
      confirmColor="warning"
      maxLength={REVIEW_LIMITS.hideReasonMaxLength}
      hint="The author sees it"
      busy={props.busy}
      onConfirm={props.onHide}
      onCancel={props.onCancel}
    >
      It leaves the list and the rating for everyone but its author and the
      admins.
    </ReasonDialog>
  );
}

export function ServiceReviews(props: { name: string }) {
  const { name } = props;
  const api = useApi(marketplaceApiRef);
  const toastApi = useApi(toastApiRef);
  const { entity } = useEntity();
  const entityLink = useEntityRefLink();
  const [sort, setSort] = useState<ReviewSort>('newest');
  const [data, setData] = useState<ServiceReviewsResponse>();
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const [hiding, setHiding] = useState<ServiceReview>();
  const [deleting, setDeleting] = useState(false);
  const [formKey, setFormKey] = useState(0);

  const load = useCallback(
    async (offset = 0) => {
      try {
        const page = await api.listReviews(name, { sort, offset, limit: PAGE });
        setData(previous =>
          offset > 0 && previous
            ? { ...page, items: [...previous.items, ...page.items] }
            : page,
        );
        setError(undefined);
      } catch (e) {
        setError(e as Error);
      }
    },
    [api, name, sort],
  );

  useEffect(() => {
    load(0);
  }, [load]);

  const run = async (
    action: () => Promise<unknown>,
    success?: string,
  ): Promise<boolean> => {
    setBusy(true);
    try {
      await action();
      if (success) {
        toastApi.post({ title: success, status: 'success', timeout: 4000 });
      }
      await load(0);
      return true;
    } catch (e) {
      toastApi.post({ title: errorMessage(e), status: 'danger' });
      return false;
    } finally {
      setBusy(false);
    }
  };

  if (error && !data) {
    return <ResponseErrorPanel error={error} />;
  }
  if (!data) {
    return <Progress />;
  }
  const { me, summary } = data;

  const submit = async (review: ReviewRequest) => {
    const done = await run(
      () => api.writeReview(name, review),
      me.review ? 'Your review is updated' : 'Thanks for your review',
    );
    if (done) {
      setFormKey(k => k + 1);
    }
  };

  let writer;
  if (me.canReview) {
    writer = (
      <ReviewForm
        key={`${formKey}-${me.review?.id ?? 'new'}`}
        existing={me.review}
        busy={busy}
        onSubmit={submit}
        onDelete={() => setDeleting(true)}
      />
    );
  } else {
    writer = (
      <Alert
        severity="info"
        action={
          <Button
            component={RouterLink}
            to={`${entityLink(entity).replace(/\/+$/, '')}/api`}
            size="small"
          >
            Test API
          </Button>
        }
      >
        {me.reason}
      </Alert>
    );
  }

  return (
    <Stack spacing={3}>
      <InfoCard title="Rating">
        <ReviewSummaryView summary={summary} />
      </InfoCard>
      <InfoCard
        title={me.review ? 'Your review' : 'Write a review'}
        subheader="Reviews come only from people who used the service through the marketplace"
      >
        {writer}
      </InfoCard>
      <InfoCard title={`Reviews (${data.total})`}>
        <Stack spacing={2}>
          <FormControl size="small" sx={{ width: 220 }}>
            <InputLabel id="review-sort-label">Sort by</InputLabel>
            <Select
              labelId="review-sort-label"
              label="Sort by"
              value={sort}
              onChange={e => setSort(e.target.value as ReviewSort)}
            >
              {(Object.keys(SORT_LABELS) as ReviewSort[]).map(s => (
                <MenuItem key={s} value={s}>
                  {SORT_LABELS[s]}
                </MenuItem>
              ))}
            </Select>
          </FormControl>
          {data.items.length === 0 && (
            <Typography variant="body2" color="text.secondary">
              No reviews yet.
            </Typography>
          )}
          {data.items.map(review => (
            <ReviewItem
              key={review.id}
              review={review}
              canReply={me.canReply}
              canModerate={me.canModerate}
              busy={busy}
              actions={{
                onVote: (r, helpful) =>
                  run(() => api.voteReview(name, r.id, helpful)),
                onReply: (r, text) =>
                  run(
                    () => api.replyToReview(name, r.id, text),
                    text === null ? 'Reply removed' : 'Reply published',
                  ),
                onHide: setHiding,
                onUnhide: r =>
                  run(
                    () => api.hideReview(name, r.id, null),
                    'Review shown again',
                  ),
              }}
            />
          ))}
          {data.items.length < data.total && (
            <Button onClick={() => load(data.items.length)} disabled={busy}>
              Show more reviews
            </Button>
          )}
        </Stack>
      </InfoCard>
      <HideDialog
        review={hiding}
        busy={busy}
        onCancel={() => setHiding(undefined)}
        onHide={async reason => {
          const target = hiding;
          if (target) {
            await run(
              () => api.hideReview(name, target.id, reason),
              'Review hidden',
            );
          }
          setHiding(undefined);
        }}
      />
      <ConfirmDialog
        open={deleting}
        title="Delete your review?"
        confirmLabel="Delete"
        busy={busy}
        onCancel={() => setDeleting(false)}
        onConfirm={async () => {
          const mine = me.review;
          if (mine) {
            await run(() => api.deleteReview(name, mine.id), 'Review deleted');
          }
          setDeleting(false);
        }}
      >
        Your rating and text are removed for good.
      </ConfirmDialog>
    </Stack>
  );
}
