import { ReactNode } from 'react';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TablePagination from '@mui/material/TablePagination';
import TableRow from '@mui/material/TableRow';
import { useSearchParams } from 'react-router-dom';
import {
  EmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { errorStatus } from '../../api';
import { NotAllowed } from './NotAllowed';
import { dataTableSx, tableContainerSx } from './tables';

/*
 * The scaffold of the table pages (users, approvals, audit log, a provider's
 * services): the states of the data, the table, its pager and filters, and the
 * filters kept in the URL.
 */

/** A table's data as `useAsync` / `useAsyncRetry` give it. */
export type TableData<T> = {
  loading: boolean;
  error?: Error;
  value?: T;
};

/** The API answered 403: the user may not see this table. */
export function isForbidden(data: { error?: Error }): boolean {
  return !!data.error && errorStatus(data.error) === 403;
}

/**
 * What a table's place shows: a spinner until the first answer, who may see it
 * on a 403, the error, the empty state, else the table (`children`). Reloads
 * keep the table shown.
 */
export function TableStates<T>(props: {
  data: TableData<T>;
  /**
   * Who may see the table, said on a 403. `null` says nothing there (another
   * part of the page says it); without it a 403 is an error like the others.
   */
  notAllowed?: ReactNode;
  isEmpty: (value: T) => boolean;
  empty: {
    title: string;
    description: string;
    missing?: 'data' | 'content';
    action?: JSX.Element;
  };
  children: (value: T) => ReactNode;
}) {
  const { data, notAllowed, empty } = props;
  if (data.loading && !data.value) {
    return <Progress />;
  }
  if (notAllowed !== undefined && isForbidden(data)) {
    return notAllowed === null ? null : <NotAllowed>{notAllowed}</NotAllowed>;
  }
  if (data.error) {
    return <ResponseErrorPanel error={data.error} />;
  }
  if (!data.value || props.isEmpty(data.value)) {
    return (
      <EmptyState
        missing={empty.missing ?? 'data'}
        title={empty.title}
        description={empty.description}
        action={empty.action}
      />
    );
  }
  return <>{props.children(data.value)}</>;
}

/**
 * A data table: small rows, words never broken letter by letter, sideways
 * scrolling when it is wider than its place. `head` is the header row's cells.
 */
export function DataTable(props: {
  label: string;
  head: ReactNode;
  children: ReactNode;
}) {
  return (
    <TableContainer sx={tableContainerSx}>
      <Table size="small" sx={dataTableSx} aria-label={props.label}>
        <TableHead>
          <TableRow>{props.head}</TableRow>
        </TableHead>
        <TableBody>{props.children}</TableBody>
      </Table>
    </TableContainer>
  );
}

/** The pager under a table, with a fixed page size. */
export function TablePager(props: {
  count: number;
  page: number;
  pageSize: number;
  onPageChange: (page: number) => void;
}) {
  return (
    <TablePagination
      component="div"
      count={props.count}
      page={props.page}
      rowsPerPage={props.pageSize}
      rowsPerPageOptions={[props.pageSize]}
      onPageChange={(_e, page) => props.onPageChange(page)}
    />
  );
}

/** The filters above a table: in a row, or a column on narrow screens. */
export function TableFilters(props: { children: ReactNode }) {
  return (
    <Stack direction={{ xs: 'column', md: 'row' }} spacing={2}>
      {props.children}
    </Stack>
  );
}

/**
 * A table page's filters, sort and page in the URL (so a view can be linked),
 * replacing the history entry. Changing anything but the page goes back to
 * the first page.
 */
export function useTableParams() {
  const [params, setParams] = useSearchParams();
  const page = Math.max(0, Number.parseInt(params.get('page') ?? '0', 10) || 0);
  const update = (changes: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value) {
        next.set(key, value);
      } else {
        next.delete(key);
      }
    }
    if (!('page' in changes)) {
      next.delete('page');
    }
    setParams(next, { replace: true });
  };
  const setPage = (p: number) => update({ page: p ? String(p) : undefined });
  return { params, page, update, setPage };
}
