import { ReactNode } from 'react';
import Box from '@mui/material/Box';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';

export type SectionProps = {
  title: string;
  /** Shown right of the title, e.g. a chip. */
  badge?: ReactNode;
  /** A short explanation under the title. */
  caption?: ReactNode;
  children: ReactNode;
};

/**
 * A titled group of fields inside a card. Fields are laid out in a responsive grid.
 */
export function Section(props: SectionProps) {
  const { title, badge, caption, children } = props;
  const headingId = `marketplace-section-${title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')}`;
  return (
    <Box component="section" aria-labelledby={headingId}>
      <Stack direction="row" spacing={1} alignItems="center" sx={{ mb: 0.5 }}>
        <Typography variant="subtitle1" component="h3" id={headingId}>
          {title}
        </Typography>
        {badge}
      </Stack>
      {caption && (
        <Typography
          variant="caption"
          color="text.secondary"
          component="p"
          sx={{ mb: 1, mt: 0 }}
        >
          {caption}
        </Typography>
      )}
      <Box
        sx={{
          display: 'grid',
          gap: 2,
          gridTemplateColumns: {
            xs: '1fr',
            sm: 'repeat(2, minmax(0, 1fr))',
            lg: 'repeat(3, minmax(0, 1fr))',
          },
        }}
      >
        {children}
      </Box>
    </Box>
  );
}

/** Makes a field span the whole row of its section grid. */
export function FullRow(props: { children: ReactNode }) {
  return <Box sx={{ gridColumn: '1 / -1' }}>{props.children}</Box>;
}
