/**
 * The styles of every data table of the marketplace. Backstage's MUI v5 theme
 * sets `word-break: break-word` on table cells, which lets a squeezed column
 * break words letter by letter ("Ll a m a", "$0 .0 00 05"). Cells here break
 * only between words; headers, numbers and actions never wrap; a table wider
 * than its place scrolls sideways inside its TableContainer.
 */
export const dataTableSx = {
  '& th, & td': { wordBreak: 'normal', overflowWrap: 'normal' },
  '& th, & td[class*="MuiTableCell-alignRight"], & td.nowrap': {
    whiteSpace: 'nowrap',
  },
} as const;

/** A TableContainer that scrolls sideways instead of squeezing its table. */
export const tableContainerSx = {
  overflowX: 'auto',
  maxWidth: '100%',
} as const;
