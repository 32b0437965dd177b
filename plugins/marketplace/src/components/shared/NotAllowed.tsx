import { ReactNode } from 'react';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';

/** What a page shows when the API answers 403: who may see it, and why not you. */
export function NotAllowed(props: { children: ReactNode }) {
  return (
    <Alert severity="error" data-testid="not-allowed">
      <AlertTitle>Not allowed</AlertTitle>
      {props.children}
    </Alert>
  );
}
