import { ReactNode } from 'react';
import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import { ModelServiceEntityV1alpha1 } from '@internal/plugin-marketplace-common';

export function serviceTitle(entity: ModelServiceEntityV1alpha1): string {
  return entity.metadata.title ?? entity.metadata.name;
}

/** A titled section of the Start Using dialog. */
export function OfferSection(props: { title: string; children: ReactNode }) {
  const id = `start-using-${props.title.toLowerCase().replace(/\W+/g, '-')}`;
  return (
    <Box component="section" aria-labelledby={id}>
      <Typography variant="subtitle1" component="h3" id={id} sx={{ mb: 1 }}>
        {props.title}
      </Typography>
      {props.children}
    </Box>
  );
}
