import { Route, Routes } from 'react-router-dom';
import Grid from '@material-ui/core/Grid';
import List from '@material-ui/core/List';
import Paper from '@material-ui/core/Paper';
import { makeStyles, Theme } from '@material-ui/core/styles';
import {
  CatalogIcon,
  Content,
  useSidebarPinState,
} from '@backstage/core-components';
import { configApiRef, useApi } from '@backstage/frontend-plugin-api';
import {
  catalogApiRef,
  CATALOG_FILTER_EXISTS,
} from '@backstage/plugin-catalog-react';
import {
  SearchPage as SearchContext,
  SearchType,
} from '@backstage/plugin-search';
import {
  DefaultResultListItem,
  SearchBar,
  SearchFilter,
  SearchPagination,
  SearchResult as SearchResults,
  SearchResultPager,
  useSearch,
} from '@backstage/plugin-search-react';
import {
  type SearchFilterExtensionComponent,
  type SearchFilterResultTypeBlueprintParams,
  type SearchResultItemExtensionComponent,
  type SearchResultItemExtensionPredicate,
} from '@backstage/plugin-search-react/alpha';

const useStyles = makeStyles((theme: Theme) => ({
  filter: {
    '& + &': {
      marginTop: theme.spacing(2.5),
    },
  },
  filters: {
    padding: theme.spacing(2),
    marginTop: theme.spacing(2),
  },
}));

type SearchResult = Parameters<SearchResultItemExtensionPredicate>[0];

export interface SearchPageProps {
  noTrack: boolean;
  items: Array<{
    predicate?: SearchResultItemExtensionPredicate;
    component: SearchResultItemExtensionComponent;
  }>;
  resultTypes: SearchFilterResultTypeBlueprintParams[];
  searchFilters: SearchFilterExtensionComponent[];
}

/** A search filter's value: one string or several (a multi-select). */
function asList(value: unknown): string[] {
  if (Array.isArray(value)) {
    return value.filter((v): v is string => typeof v === 'string');
  }
  return typeof value === 'string' && value ? [value] : [];
}

/**
 * Backstage's search page (plugin-search's new-frontend-system page), except
 * for its Lifecycle filter: Backstage hard-codes "experimental" and
 * "production", which no model service uses. Here the choices are the
 * lifecycles the catalog's entities have, of the kind picked in the Kind
 * filter when there is one.
 */
function SearchPageContent(props: SearchPageProps) {
  const getResultItemComponent = (result: SearchResult) =>
    props.items.find(item => item.predicate?.(result))?.component ??
    DefaultResultListItem;

  const classes = useStyles();
  const { isMobile } = useSidebarPinState();
  const { types, filters } = useSearch();
  const catalogApi = useApi(catalogApiRef);
  const configApi = useApi(configApiRef);
  const kinds = asList(filters.kind);

  return (
    // The page's <main> landmark, which the app's page layout does not render.
    <main style={{ flexGrow: 1, minWidth: 0 }}>
      <Content>
        <Grid container direction="row">
          <Grid item xs={12}>
            <SearchBar debounceTime={100} />
          </Grid>
          {!isMobile && (
            <Grid item xs={3}>
              <SearchType.Accordion
                name="Result Type"
                defaultValue={configApi.getOptionalString('search.defaultType')}
                showCounts
                types={[
                  {
                    value: 'software-catalog',
                    name: 'Software Catalog',
                    icon: <CatalogIcon />,
                  },
                ].concat(props.resultTypes)}
              />
              <Paper className={classes.filters}>
                {types.includes('techdocs') && (
                  <SearchFilter.Select
                    className={classes.filter}
                    label="Entity"
                    name="name"
                    values={async () => {
                      const { items } = await catalogApi.getEntities({
                        fields: ['metadata.name'],
                        filter: {
                          'metadata.annotations.backstage.io/techdocs-ref':
                            CATALOG_FILTER_EXISTS,
                        },
                      });
                      return items.map(entity => entity.metadata.name).sort();
                    }}
                  />
                )}
                <SearchFilter.Select
                  className={classes.filter}
                  label="Kind"
                  name="kind"
                  values={async () => {
                    const { facets } = await catalogApi.getEntityFacets({
                      facets: ['kind'],
                    });
                    return (facets.kind ?? [])
                      .map(facet => facet.value)
                      .sort((a, b) => a.localeCompare(b));
                  }}
                />
                <SearchFilter.Checkbox
                  // Asks again when the Kind filter changes.
                  key={kinds.join(',')}
                  className={classes.filter}
                  label="Lifecycle"
                  name="lifecycle"
                  values={async () => {
                    const { facets } = await catalogApi.getEntityFacets({
                      facets: ['spec.lifecycle'],
                      filter: kinds.length > 0 ? { kind: kinds } : undefined,
                    });
                    return (facets['spec.lifecycle'] ?? [])
                      .map(facet => facet.value)
                      .sort((a, b) => a.localeCompare(b));
                  }}
                />
                {props.searchFilters.map((SearchFilterComponent, index) => (
                  <SearchFilterComponent
                    key={index}
                    className={classes.filter}
                  />
                ))}
              </Paper>
            </Grid>
          )}
          <Grid item xs>
            <SearchPagination />
            <SearchResults>
              {({ results }) => (
                // The results' list items in a list, on the paper background
                // (grey secondary text on the page's grey reads at 4.47:1).
                <Paper>
                  <List disablePadding aria-label="Search results">
                    {results.map((result, index) => {
                      const { document, ...rest } = result;
                      const SearchResultListItem =
                        getResultItemComponent(result);
                      return (
                        <SearchResultListItem
                          {...rest}
                          key={index}
                          result={document}
                          noTrack={props.noTrack}
                        />
                      );
                    })}
                  </List>
                </Paper>
              )}
            </SearchResults>
            <SearchResultPager />
          </Grid>
        </Grid>
      </Content>
    </main>
  );
}

/**
 * The search page: plugin-search's SearchPage keeps the search state and the
 * URL in step (its search context and URL updater) around this page's content.
 */
export function SearchPage(props: SearchPageProps) {
  return (
    <Routes>
      <Route element={<SearchContext />}>
        <Route path="*" element={<SearchPageContent {...props} />} />
      </Route>
    </Routes>
  );
}
