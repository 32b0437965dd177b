import { Route, Routes } from 'react-router-dom';
import {
  coreExtensionData,
  createFrontendModule,
  ExtensionBoundary,
} from '@backstage/frontend-plugin-api';
import { formFieldsApiRef } from '@backstage/plugin-scaffolder-react/alpha';
import scaffolderPlugin from '@backstage/plugin-scaffolder/alpha';
import { PUBLISH_TEMPLATE } from './components/scaffolder/publishTemplate';
import { MainLandmark } from './components/shared/MainLandmark';

/**
 * `sub-page:scaffolder/templates` with the "Publish LLM service" template on
 * its own wizard (PublishWizard: Review & publish as the sixth and last step,
 * instead of a step 6 followed by Backstage's own "Review"). Every other path
 * under /create/templates is Backstage's page as before.
 */
const templatesSubPage = scaffolderPlugin
  .getExtension('sub-page:scaffolder/templates')
  .override({
    *factory(originalFactory, { apis, node }) {
      const formFieldsApi = apis.get(formFieldsApiRef);
      const wizard = ExtensionBoundary.lazy(node, async () => {
        const [formFields, m] = await Promise.all([
          formFieldsApi?.loadFormFields() ?? [],
          import('./components/scaffolder/PublishWizard'),
        ]);
        return <m.PublishWizardPage formFields={formFields} />;
      });
      for (const value of originalFactory()) {
        if (value.id === coreExtensionData.reactElement.id) {
          // In the page's <main> landmark (the app's page layout has none).
          yield coreExtensionData.reactElement(
            <MainLandmark>
              <Routes>
                <Route
                  path={`${PUBLISH_TEMPLATE.namespace}/${PUBLISH_TEMPLATE.name}`}
                  element={wizard}
                />
                <Route path="*" element={value.value as JSX.Element} />
              </Routes>
            </MainLandmark>,
          );
        } else {
          yield value;
        }
      }
    },
  });

/**
 * The marketplace's changes to the scaffolder's pages; add it to the app's
 * features next to the marketplace plugin.
 *
 * @public
 */
export const marketplaceScaffolderModule = createFrontendModule({
  pluginId: 'scaffolder',
  extensions: [templatesSubPage],
});
