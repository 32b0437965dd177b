import { FormFieldBlueprint } from '@backstage/plugin-scaffolder-react/alpha';

/* The custom fields of the "Publish LLM service" template's form. */

/** `scaffolder-form-field:marketplace/service-name`: the unique service name field of "Publish LLM service". */
export const serviceNameFormField = FormFieldBlueprint.make({
  name: 'service-name',
  params: {
    field: () =>
      import('../components/scaffolder/fields').then(
        m => m.MarketplaceServiceNamePicker,
      ),
  },
});

/** `scaffolder-form-field:marketplace/terms`: the terms checkbox of "Publish LLM service". */
export const termsFormField = FormFieldBlueprint.make({
  name: 'terms',
  params: {
    field: () =>
      import('../components/scaffolder/fields').then(
        m => m.MarketplaceTermsAcceptance,
      ),
  },
});

/** `scaffolder-form-field:marketplace/service-preview`: the card preview of "Publish LLM service". */
export const servicePreviewFormField = FormFieldBlueprint.make({
  name: 'service-preview',
  params: {
    field: () =>
      import('../components/scaffolder/ServicePreviewField').then(
        m => m.MarketplaceServicePreview,
      ),
  },
});

/** `scaffolder-form-field:marketplace/step-checks`: checks across the fields of a step of "Publish LLM service". */
export const stepChecksFormField = FormFieldBlueprint.make({
  name: 'step-checks',
  params: {
    field: () =>
      import('../components/scaffolder/checks').then(
        m => m.MarketplaceStepChecks,
      ),
  },
});
