import {
  createContext,
  useCallback,
  useContext,
  useMemo,
  useState,
} from 'react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import { useNavigate } from 'react-router-dom';
import { ErrorPanel, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import {
  FieldExtensionOptions,
  ReviewStepProps,
  scaffolderApiRef,
  SecretsContextProvider,
  useCustomFieldExtensions,
  useTemplateSecrets,
} from '@backstage/plugin-scaffolder-react';
import { FormField, Workflow } from '@backstage/plugin-scaffolder-react/alpha';
import {
  EntityTagsPickerFieldExtension,
  MyGroupsPickerFieldExtension,
  OwnedEntityPickerFieldExtension,
  ScaffolderFieldExtensions,
} from '@backstage/plugin-scaffolder';
import { ServicePreview } from './ServicePreviewField';
import { TermsCheckbox } from './fields';
import { PUBLISH_TEMPLATE } from './publishTemplate';

/**
 * Step 6, Review & publish: the service's browse card, whether it goes live
 * at once or waits for approval (or, when editing, what changes), and the
 * provider terms, which must be accepted before Publish.
 *
 * Backstage's wizard always ends with a review step of its own; this is that
 * step, so the wizard has the plan's six steps, not a seventh "Review".
 */
export function PublishReviewStep(
  props: ReviewStepProps & {
    termsAccepted: boolean;
    onTermsAccepted: (accepted: boolean) => void;
  },
) {
  const { formData, handleBack, handleCreate, disableButtons } = props;
  const [tried, setTried] = useState(false);
  return (
    <Stack spacing={1}>
      <ServicePreview {...({ formContext: { formData } } as any)} />
      <TermsCheckbox
        id="publish-terms"
        checked={props.termsAccepted}
        onChange={props.onTermsAccepted}
        invalid={tried && !props.termsAccepted}
      />
      <Box sx={{ display: 'flex', justifyContent: 'flex-end', gap: 1, pt: 2 }}>
        <Button onClick={handleBack} disabled={disableButtons}>
          Back
        </Button>
        <Button
          variant="contained"
          disabled={disableButtons}
          onClick={() => {
            setTried(true);
            if (props.termsAccepted) {
              handleCreate();
            }
          }}
        >
          Publish
        </Button>
      </Box>
    </Stack>
  );
}

/** The terms answer, kept by the wizard while its review step is shown. */
const TermsContext = createContext<{
  accepted: boolean;
  accept: (accepted: boolean) => void;
}>({ accepted: false, accept: () => {} });

/** The review step as the wizard renders it (a stable component type). */
function ReviewStep(props: ReviewStepProps) {
  const { accepted, accept } = useContext(TermsContext);
  return (
    <PublishReviewStep
      {...props}
      termsAccepted={accepted}
      onTermsAccepted={accept}
    />
  );
}

const COMPONENTS = { ReviewStepComponent: ReviewStep };

function Wizard(props: { extensions: FieldExtensionOptions[] }) {
  const scaffolderApi = useApi(scaffolderApiRef);
  const navigate = useNavigate();
  const { secrets } = useTemplateSecrets();
  const [creating, setCreating] = useState(false);
  const [accepted, accept] = useState(false);
  const terms = useMemo(() => ({ accepted, accept }), [accepted]);

  const onCreate = useCallback(
    async (values: Record<string, unknown>) => {
      if (creating || !accepted) {
        return;
      }
      setCreating(true);
      try {
        const { taskId } = await scaffolderApi.scaffold({
          templateRef: `template:${PUBLISH_TEMPLATE.namespace}/${PUBLISH_TEMPLATE.name}`,
          values: { ...values, termsAccepted: true } as any,
          secrets,
        });
        navigate(`/create/tasks/${encodeURIComponent(taskId)}`);
      } finally {
        setCreating(false);
      }
    },
    [accepted, creating, navigate, scaffolderApi, secrets],
  );

  return (
    <TermsContext.Provider value={terms}>
      {creating && <Progress />}
      <Workflow
        namespace={PUBLISH_TEMPLATE.namespace}
        templateName={PUBLISH_TEMPLATE.name}
        extensions={props.extensions}
        components={COMPONENTS}
        onCreate={onCreate as any}
        onError={error => (error ? <ErrorPanel error={error} /> : null)}
      />
    </TermsContext.Provider>
  );
}

/**
 * The "Publish LLM service" wizard: Backstage's template wizard with
 * Review & publish as its last (sixth) step. The app mounts it on the
 * template's own path under /create, so every link to the template opens it.
 */
export function PublishWizard(props: { extensions: FieldExtensionOptions[] }) {
  return (
    <SecretsContextProvider>
      <Wizard extensions={props.extensions} />
    </SecretsContextProvider>
  );
}

/** The field extensions Backstage's wizard has by default that the template uses. */
const DEFAULT_FIELDS = (
  <ScaffolderFieldExtensions>
    <OwnedEntityPickerFieldExtension />
    <MyGroupsPickerFieldExtension />
    <EntityTagsPickerFieldExtension />
  </ScaffolderFieldExtensions>
);

/**
 * The wizard with the app's form fields (the marketplace's and others
 * installed as scaffolder form fields) and the default ones the template uses.
 */
export function PublishWizardPage(props: { formFields: FormField[] }) {
  const defaults = useCustomFieldExtensions(DEFAULT_FIELDS);
  // A FormField is its field extension's options behind an opaque type.
  const extensions = useMemo(
    () => [
      ...defaults,
      ...(props.formFields as unknown as FieldExtensionOptions[]),
    ],
    [defaults, props.formFields],
  );
  return <PublishWizard extensions={extensions} />;
}
