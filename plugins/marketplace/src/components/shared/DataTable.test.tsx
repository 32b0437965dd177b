import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useLocation } from 'react-router-dom';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { TableData, TableStates, useTableParams } from './DataTable';

function forbidden(): Error {
  return Object.assign(new Error('Forbidden'), { statusCode: 403 });
}

function States(props: {
  data: TableData<string[]>;
  notAllowed?: string | null;
}) {
  return (
    <TableStates
      data={props.data}
      notAllowed={props.notAllowed}
      isEmpty={rows => rows.length === 0}
      empty={{ title: 'Nothing yet', description: 'Rows appear here.' }}
    >
      {rows => (
        <ul>
          {rows.map(r => (
            <li key={r}>{r}</li>
          ))}
        </ul>
      )}
    </TableStates>
  );
}

describe('TableStates', () => {
  it('shows progress until the first answer', async () => {
    await renderInTestApp(<States data={{ loading: true }} />);
    expect(screen.getByTestId('progress')).toBeInTheDocument();
    expect(screen.queryByRole('listitem')).not.toBeInTheDocument();
  });

  it('keeps the rows shown while it reloads', async () => {
    await renderInTestApp(
      <States data={{ loading: true, value: ['a', 'b'] }} />,
    );
    expect(screen.queryByTestId('progress')).not.toBeInTheDocument();
    expect(screen.getAllByRole('listitem')).toHaveLength(2);
  });

  it('says who may see the table on a 403', async () => {
    await renderInTestApp(
      <States
        data={{ loading: false, error: forbidden() }}
        notAllowed="Only admins see this."
      />,
    );
    expect(screen.getByTestId('not-allowed')).toHaveTextContent(
      'Only admins see this.',
    );
  });

  it('says nothing on a 403 when another part of the page says it', async () => {
    await renderInTestApp(
      <States
        data={{ loading: false, error: forbidden() }}
        notAllowed={null}
      />,
    );
    expect(screen.queryByTestId('not-allowed')).not.toBeInTheDocument();
    expect(screen.queryByText(/Forbidden/)).not.toBeInTheDocument();
  });

  it('shows a 403 as an error when the table has no notAllowed text', async () => {
    await renderInTestApp(
      <States data={{ loading: false, error: forbidden() }} />,
    );
    expect(screen.queryByTestId('not-allowed')).not.toBeInTheDocument();
    // The error panel names the error (in its title and its details).
    expect(screen.getAllByText(/Forbidden/).length).toBeGreaterThan(0);
  });

  it('shows the empty state when there are no rows', async () => {
    await renderInTestApp(<States data={{ loading: false, value: [] }} />);
    expect(screen.getByText('Nothing yet')).toBeInTheDocument();
    expect(screen.getByText('Rows appear here.')).toBeInTheDocument();
  });
});

function ParamsProbe() {
  const { params, page, update, setPage } = useTableParams();
  const location = useLocation();
  return (
    <div>
      <span data-testid="search">{location.search}</span>
      <span data-testid="page">{page}</span>
      <span data-testid="q">{params.get('q') ?? ''}</span>
      <button onClick={() => setPage(2)}>Page 3</button>
      <button onClick={() => update({ q: 'ada' })}>Search ada</button>
      <button onClick={() => update({ q: undefined })}>Clear</button>
    </div>
  );
}

describe('useTableParams', () => {
  it('keeps filters and page in the URL and goes back to the first page when a filter changes', async () => {
    await renderInTestApp(<ParamsProbe />, {
      initialRouteEntries: ['/admin/users?role=admin&page=1'],
    });
    expect(screen.getByTestId('page')).toHaveTextContent('1');

    await userEvent.click(screen.getByRole('button', { name: 'Page 3' }));
    expect(screen.getByTestId('page')).toHaveTextContent('2');
    expect(screen.getByTestId('search')).toHaveTextContent(
      '?role=admin&page=2',
    );

    await userEvent.click(screen.getByRole('button', { name: 'Search ada' }));
    expect(screen.getByTestId('q')).toHaveTextContent('ada');
    expect(screen.getByTestId('page')).toHaveTextContent('0');
    expect(screen.getByTestId('search')).toHaveTextContent('?role=admin&q=ada');

    await userEvent.click(screen.getByRole('button', { name: 'Clear' }));
    expect(screen.getByTestId('search')).toHaveTextContent('?role=admin');
  });
});
