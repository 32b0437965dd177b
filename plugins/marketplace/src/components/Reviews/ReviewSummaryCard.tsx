import Box from '@mui/material/Box';
import LinearProgress from '@mui/material/LinearProgress';
import Rating from '@mui/material/Rating';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { ReviewSummary } from '@internal/plugin-marketplace-common';
import { formatInteger } from '../../format';

/** The average rating, the count and a bar per star rating. */
export function ReviewSummaryView(props: { summary: ReviewSummary }) {
  const { summary } = props;
  return (
    <Stack
      direction={{ xs: 'column', sm: 'row' }}
      spacing={4}
      alignItems={{ xs: 'flex-start', sm: 'center' }}
    >
      <Box sx={{ minWidth: 160 }}>
        <Typography variant="h3" component="p" data-testid="rating-average">
          {summary.average === null ? '–' : summary.average.toFixed(1)}
        </Typography>
        <Rating
          value={summary.average ?? 0}
          precision={0.1}
          readOnly
          aria-label={
            summary.average === null
              ? 'No rating yet'
              : `Rated ${summary.average} out of 5`
          }
        />
        <Typography
          variant="body2"
          color="text.secondary"
          data-testid="rating-count"
        >
          {summary.count === 0
            ? 'No reviews yet'
            : `${formatInteger(summary.count)} review${
                summary.count === 1 ? '' : 's'
              }`}
        </Typography>
      </Box>
      <Box
        component="ul"
        aria-label="Rating distribution"
        sx={{ listStyle: 'none', m: 0, p: 0, flex: 1, width: '100%' }}
      >
        {(['5', '4', '3', '2', '1'] as const).map(star => {
          const n = summary.distribution[star];
          const share = summary.count ? (n * 100) / summary.count : 0;
          return (
            <Stack
              component="li"
              key={star}
              direction="row"
              spacing={1.5}
              alignItems="center"
              aria-label={`${star} stars: ${n}`}
            >
              <Typography variant="body2" sx={{ width: 48 }}>
                {star} star{star === '1' ? '' : 's'}
              </Typography>
              <LinearProgress
                variant="determinate"
                value={share}
                sx={{
                  flex: 1,
                  height: 8,
                  borderRadius: 4,
                  // A neutral track: a star count of 0 reads as empty.
                  bgcolor: 'action.hover',
                }}
                aria-hidden
              />
              <Typography
                variant="body2"
                color="text.secondary"
                sx={{ width: 32, textAlign: 'right' }}
              >
                {formatInteger(n)}
              </Typography>
            </Stack>
          );
        })}
      </Box>
    </Stack>
  );
}
