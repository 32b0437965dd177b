import { ReactNode } from 'react';
import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';

/** Placeholder shown for optional fields the entity does not set. */
export const NOT_SET = '—';

export type FieldProps = {
  label: string;
  children?: ReactNode;
};

/**
 * A label above its value. Renders "—" when the value is empty.
 */
export function Field(props: FieldProps) {
  const { label, children } = props;
  const empty =
    children === undefined ||
    children === null ||
    children === '' ||
    (Array.isArray(children) && children.length === 0);
  return (
    <Box sx={{ minWidth: 0 }}>
      <Typography
        variant="caption"
        color="text.secondary"
        component="div"
        sx={{ fontWeight: 500, textTransform: 'uppercase', letterSpacing: 0.4 }}
      >
        {label}
      </Typography>
      <Typography
        variant="body2"
        component="div"
        sx={{ wordBreak: 'break-word' }}
      >
        {empty ? NOT_SET : children}
      </Typography>
    </Box>
  );
}
