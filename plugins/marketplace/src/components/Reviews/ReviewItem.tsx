import { useState } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Paper from '@mui/material/Paper';
import Rating from '@mui/material/Rating';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import ThumbUpIcon from '@mui/icons-material/ThumbUp';
import ThumbUpOutlinedIcon from '@mui/icons-material/ThumbUpOutlined';
import VerifiedIcon from '@mui/icons-material/Verified';
import {
  REVIEW_LIMITS,
  ServiceReview,
} from '@internal/plugin-marketplace-common';
import { formatDateTimeUtc, formatInteger } from '../../format';
import { RefLink } from '../shared/RefLink';

export type ReviewActions = {
  onVote: (review: ServiceReview, helpful: boolean) => void;
  onReply: (review: ServiceReview, text: string | null) => void;
  onHide: (review: ServiceReview) => void;
  onUnhide: (review: ServiceReview) => void;
};

function ReplyEditor(props: {
  initial: string;
  busy: boolean;
  onSave: (text: string) => void;
  onCancel: () => void;
}) {
  const [text, setText] = useState(props.initial);
  const tooLong = text.length > REVIEW_LIMITS.replyMaxLength;
  return (
    <Stack spacing={1} sx={{ mt: 1 }}>
      <TextField
        label="Reply as the provider"
        value={text}
        onChange={e => setText(e.target.value)}
        multiline
        minRows={2}
        fullWidth
        error={tooLong}
        helperText={`${text.length} / ${REVIEW_LIMITS.replyMaxLength}`}
      />
      <Stack direction="row" spacing={1}>
        <Button
          size="small"
          variant="contained"
          disabled={props.busy || !text.trim() || tooLong}
          onClick={() => props.onSave(text.trim())}
        >
          Publish reply
        </Button>
        <Button size="small" onClick={props.onCancel} disabled={props.busy}>
          Cancel
        </Button>
      </Stack>
    </Stack>
  );
}

/**
 * One review. Title and text are rendered as text (React escapes them), line
 * breaks kept.
 */
export function ReviewItem(props: {
  review: ServiceReview;
  canReply: boolean;
  canModerate: boolean;
  busy: boolean;
  actions: ReviewActions;
}) {
  const { review, canReply, canModerate, busy, actions } = props;
  const [replying, setReplying] = useState(false);
  const edited = review.updatedAt !== review.createdAt;
  return (
    <Paper
      variant="outlined"
      component="article"
      aria-label={`Review: ${review.title}`}
      data-testid="review"
      sx={{ p: 2, opacity: review.hidden ? 0.7 : 1 }}
    >
      <Stack spacing={1}>
        {review.hidden && (
          <Alert severity="warning">
            Hidden by{' '}
            <RefLink entityRef={review.hidden.userRef} defaultKind="User" /> on{' '}
            {formatDateTimeUtc(review.hidden.hiddenAt)}: {review.hidden.reason}.
            Only its author and the admins see it.
          </Alert>
        )}
        <Stack direction="row" spacing={1} alignItems="center" flexWrap="wrap">
          <Rating
            value={review.rating}
            readOnly
            size="small"
            aria-label={`${review.rating} out of 5 stars`}
          />
          <Typography
            variant="subtitle1"
            component="h4"
            sx={{ fontWeight: 600 }}
          >
            {review.title}
          </Typography>
        </Stack>
        <Stack direction="row" spacing={1} alignItems="center" flexWrap="wrap">
          <Typography variant="body2" color="text.secondary" component="span">
            <RefLink entityRef={review.userRef} defaultKind="User" /> ·{' '}
            {formatDateTimeUtc(review.createdAt)}
            {edited ? ' (edited)' : ''}
          </Typography>
          <Chip
            size="small"
            color="success"
            variant="outlined"
            icon={<VerifiedIcon />}
            label={`Verified usage · ${formatInteger(
              review.verifiedRequests,
            )} request${review.verifiedRequests === 1 ? '' : 's'}`}
          />
        </Stack>
        {review.text && (
          <Typography
            variant="body2"
            sx={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}
          >
            {review.text}
          </Typography>
        )}
        {review.reply && !replying && (
          <Box
            sx={{ borderLeft: 3, borderColor: 'primary.main', pl: 2, py: 0.5 }}
            aria-label="Reply from the provider"
            role="note"
          >
            <Typography variant="caption" color="text.secondary">
              Reply from the provider (
              <RefLink
                entityRef={review.reply.userRef}
                defaultKind="User"
              />, {formatDateTimeUtc(review.reply.repliedAt)})
            </Typography>
            <Typography
              variant="body2"
              sx={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}
            >
              {review.reply.text}
            </Typography>
          </Box>
        )}
        {replying && (
          <ReplyEditor
            initial={review.reply?.text ?? ''}
            busy={busy}
            onCancel={() => setReplying(false)}
            onSave={text => {
              actions.onReply(review, text);
              setReplying(false);
            }}
          />
        )}
        <Stack direction="row" spacing={1} alignItems="center" flexWrap="wrap">
          <Button
            size="small"
            startIcon={
              review.votedHelpful ? <ThumbUpIcon /> : <ThumbUpOutlinedIcon />
            }
            disabled={busy || review.mine || !!review.hidden}
            onClick={() => actions.onVote(review, !review.votedHelpful)}
            aria-pressed={review.votedHelpful}
          >
            Helpful ({formatInteger(review.helpfulCount)})
          </Button>
          {canReply && !replying && (
            <Button
              size="small"
              onClick={() => setReplying(true)}
              disabled={busy}
            >
              {review.reply ? 'Edit reply' : 'Reply'}
            </Button>
          )}
          {canReply && review.reply && !replying && (
            <Button
              size="small"
              color="error"
              onClick={() => actions.onReply(review, null)}
              disabled={busy}
            >
              Remove reply
            </Button>
          )}
          {canModerate &&
            (review.hidden ? (
              <Button
                size="small"
                onClick={() => actions.onUnhide(review)}
                disabled={busy}
              >
                Show again
              </Button>
            ) : (
              <Button
                size="small"
                color="warning"
                onClick={() => actions.onHide(review)}
                disabled={busy}
              >
                Hide
              </Button>
            ))}
        </Stack>
      </Stack>
    </Paper>
  );
}
