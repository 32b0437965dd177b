import { FormEvent, useState } from 'react';
import Button from '@mui/material/Button';
import FormControl from '@mui/material/FormControl';
import FormHelperText from '@mui/material/FormHelperText';
import FormLabel from '@mui/material/FormLabel';
import Rating from '@mui/material/Rating';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import {
  REVIEW_LIMITS,
  ReviewRequest,
  ServiceReview,
} from '@internal/plugin-marketplace-common';

/** Write a review, or edit one's own. Checks the API's limits before sending. */
export function ReviewForm(props: {
  existing: ServiceReview | null;
  busy: boolean;
  onSubmit: (review: ReviewRequest) => void;
  onDelete?: () => void;
}) {
  const { existing, busy, onSubmit, onDelete } = props;
  const [rating, setRating] = useState<number | null>(existing?.rating ?? null);
  const [title, setTitle] = useState(existing?.title ?? '');
  const [text, setText] = useState(existing?.text ?? '');
  const [touched, setTouched] = useState(false);

  let titleError: string | undefined;
  if (!title.trim()) {
    titleError = 'Give your review a title';
  } else if (title.length > REVIEW_LIMITS.titleMaxLength) {
    titleError = `At most ${REVIEW_LIMITS.titleMaxLength} characters`;
  }
  const textError =
    text.length > REVIEW_LIMITS.textMaxLength
      ? `At most ${REVIEW_LIMITS.textMaxLength} characters`
      : undefined;
  const ratingError = rating === null ? 'Choose 1 to 5 stars' : undefined;
  const invalid = !!(titleError || textError || ratingError);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (!invalid && rating !== null) {
      onSubmit({ rating, title: title.trim(), text: text.trim() });
    }
  };

  return (
    <Stack
      component="form"
      spacing={2}
      onSubmit={submit}
      aria-label={existing ? 'Edit your review' : 'Write a review'}
      noValidate
    >
      <FormControl error={touched && !!ratingError}>
        <FormLabel id="review-rating-label">Your rating</FormLabel>
        <Rating
          name="review-rating"
          value={rating}
          onChange={(_e, value) =>
            setRating(value !== null && Number.isInteger(value) ? value : null)
          }
          aria-labelledby="review-rating-label"
          size="large"
        />
        {touched && ratingError && (
          <FormHelperText>{ratingError}</FormHelperText>
        )}
      </FormControl>
      <TextField
        label="Title"
        value={title}
        onChange={e => setTitle(e.target.value)}
        required
        error={touched && !!titleError}
        helperText={
          touched && titleError
            ? titleError
            : `${title.length} / ${REVIEW_LIMITS.titleMaxLength}`
        }
        fullWidth
      />
      <TextField
        label="Your experience (optional)"
        value={text}
        onChange={e => setText(e.target.value)}
        multiline
        minRows={3}
        error={!!textError}
        helperText={
          textError ?? `${text.length} / ${REVIEW_LIMITS.textMaxLength}`
        }
        fullWidth
      />
      <Stack direction="row" spacing={1}>
        <Button type="submit" variant="contained" disabled={busy}>
          {existing ? 'Save changes' : 'Post review'}
        </Button>
        {existing && onDelete && (
          <Button color="error" onClick={onDelete} disabled={busy}>
            Delete review
          </Button>
        )}
      </Stack>
    </Stack>
  );
}
