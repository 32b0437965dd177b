import SearchIcon from '@material-ui/icons/Search';
import {
  createExtensionInput,
  createFrontendModule,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import searchPlugin from '@backstage/plugin-search/alpha';
import {
  SearchFilterBlueprint,
  SearchFilterResultTypeBlueprint,
  SearchResultListItemBlueprint,
} from '@backstage/plugin-search-react/alpha';
import { z } from 'zod/v4';

/**
 * plugin-search's page (`page:search`) with the same inputs and config, and
 * this app's SearchPage (its Lifecycle filter offers the lifecycles in use).
 */
const searchPage = PageBlueprint.makeWithOverrides({
  configSchema: {
    noTrack: z.boolean().default(false),
  },
  inputs: {
    items: createExtensionInput([SearchResultListItemBlueprint.dataRefs.item]),
    resultTypes: createExtensionInput([
      SearchFilterResultTypeBlueprint.dataRefs.resultType,
    ]),
    searchFilters: createExtensionInput([
      SearchFilterBlueprint.dataRefs.searchFilters,
    ]),
  },
  factory(originalFactory, { config, inputs }) {
    return originalFactory({
      path: '/search',
      routeRef: searchPlugin.routes.root,
      title: 'Search',
      icon: <SearchIcon fontSize="inherit" />,
      loader: async () => {
        const { SearchPage } = await import('./SearchPage');
        return (
          <SearchPage
            noTrack={config.noTrack}
            items={inputs.items.map(item =>
              item.get(SearchResultListItemBlueprint.dataRefs.item),
            )}
            resultTypes={inputs.resultTypes.map(item =>
              item.get(SearchFilterResultTypeBlueprint.dataRefs.resultType),
            )}
            searchFilters={inputs.searchFilters.map(
              item =>
                item.get(SearchFilterBlueprint.dataRefs.searchFilters)
                  .component,
            )}
          />
        );
      },
    });
  },
});

export const searchModule = createFrontendModule({
  pluginId: 'search',
  extensions: [searchPage],
});
