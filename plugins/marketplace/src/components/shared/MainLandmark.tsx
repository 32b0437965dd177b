import { ReactNode } from 'react';
import Box from '@mui/material/Box';

/**
 * The page's `<main>` landmark. The new frontend system's page layout renders
 * a header and the content but no landmark, so assistive technology could not
 * jump to the content of the marketplace's pages.
 */
export function MainLandmark(props: { children: ReactNode }) {
  return (
    <Box component="main" sx={{ flexGrow: 1, minWidth: 0 }}>
      {props.children}
    </Box>
  );
}
