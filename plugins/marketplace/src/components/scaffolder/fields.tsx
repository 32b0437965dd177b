import Checkbox from '@mui/material/Checkbox';
import FormControl from '@mui/material/FormControl';
import FormControlLabel from '@mui/material/FormControlLabel';
import FormHelperText from '@mui/material/FormHelperText';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { ApiHolder } from '@backstage/frontend-plugin-api';
import { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import { createFormField } from '@backstage/plugin-scaffolder-react/alpha';
import { errorMessage, marketplaceApiRef } from '../../api';

/** The part of the form's validation object the fields use. */
type FieldValidation = { addError(message: string): void };

/** The rule for ModelService names: a DNS label, like other entity names. */
export const SERVICE_NAME_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Why a service name cannot be used as typed, or undefined when its form is fine. */
export function serviceNameProblem(
  name: string | undefined,
): string | undefined {
  if (!name) {
    return 'Enter a service name';
  }
  if (name.length < 3 || name.length > 63) {
    return 'Use 3 to 63 characters';
  }
  if (!SERVICE_NAME_PATTERN.test(name)) {
    return 'Use lowercase letters, digits and single dashes (e.g. team-llama-70b)';
  }
  return undefined;
}

/** The name of the service being edited, when the form edits one. */
export function editedService(formContext: unknown): string | undefined {
  const editing = (formContext as { formData?: { editing?: unknown } })
    ?.formData?.editing;
  return typeof editing === 'string' && editing ? editing : undefined;
}

function ServiceNameInput(props: FieldExtensionComponentProps<string>) {
  const { onChange, rawErrors, required, formData, schema, idSchema } = props;
  const editing = editedService(props.formContext);
  return (
    <TextField
      id={idSchema?.$id}
      label={schema.title ?? 'Service name'}
      helperText={
        editing
          ? 'A published service keeps its name: it is the model callers send.'
          : schema.description
      }
      disabled={!!editing}
      required={required}
      value={formData ?? ''}
      onChange={e => onChange(e.target.value.trim().toLowerCase())}
      error={!!rawErrors?.length && !formData}
      margin="normal"
      fullWidth
      inputProps={{ autoComplete: 'off', spellCheck: false }}
    />
  );
}

/** Validation of MarketplaceServiceNamePicker: the form, then availability. */
export async function validateServiceName(
  value: string,
  validation: FieldValidation,
  context: { apiHolder: ApiHolder; formData?: unknown },
): Promise<void> {
  const problem = serviceNameProblem(value);
  if (problem) {
    validation.addError(problem);
    return;
  }
  const editing = editedService({ formData: context.formData });
  if (editing) {
    // Editing: the name is the service's own and cannot change.
    if (value !== editing) {
      validation.addError(`A published service keeps its name: use ${editing}`);
    }
    return;
  }
  const api = context.apiHolder.get(marketplaceApiRef);
  if (!api) {
    return;
  }
  try {
    const result = await api.checkServiceName(value);
    if (!result.available) {
      validation.addError(
        result.reason ?? `The name ${value} is already taken`,
      );
    }
  } catch (e) {
    validation.addError(
      `Could not check whether ${value} is free: ${errorMessage(e)}`,
    );
  }
}

/**
 * `ui:field: MarketplaceServiceNamePicker`: the service name, checked for its form
 * and, when moving on, for being free (catalog and portal-published services,
 * pending ones included) through the marketplace backend.
 */
export const MarketplaceServiceNamePicker = createFormField({
  name: 'MarketplaceServiceNamePicker',
  component: ServiceNameInput,
  validation: validateServiceName,
});

/** The one message when the terms are not accepted. */
export const TERMS_REQUIRED = 'Accept the provider terms to publish';

/** What a provider accepts to publish. */
export const PROVIDER_TERMS =
  'The platform keeps its fee from every charged request, you keep the committed service level, and you give subscribers notice before unpublishing.';

/** The provider terms and their checkbox. */
export function TermsCheckbox(props: {
  checked: boolean;
  onChange: (checked: boolean) => void;
  invalid?: boolean;
  id?: string;
  title?: string;
  description?: string;
}) {
  const { checked, onChange, invalid, id } = props;
  return (
    <FormControl error={invalid} margin="normal" required component="fieldset">
      <Typography component="legend" variant="subtitle1">
        {props.title ?? 'Provider terms'}
      </Typography>
      <Typography variant="body2" color="text.secondary">
        {props.description ?? PROVIDER_TERMS}
      </Typography>
      <FormControlLabel
        control={
          <Checkbox
            id={id}
            checked={checked}
            onChange={e => onChange(e.target.checked)}
          />
        }
        label="I accept the provider terms"
      />
      {invalid && <FormHelperText>{TERMS_REQUIRED}</FormHelperText>}
    </FormControl>
  );
}

function TermsInput(props: FieldExtensionComponentProps<boolean>) {
  const { onChange, rawErrors, formData, schema, idSchema } = props;
  return (
    <TermsCheckbox
      id={idSchema?.$id}
      checked={formData === true}
      onChange={onChange}
      invalid={!!rawErrors?.length && formData !== true}
      title={schema.title}
      description={schema.description}
    />
  );
}

/** Validation of MarketplaceTermsAcceptance. */
export function validateTerms(value: boolean, validation: FieldValidation) {
  if (value !== true) {
    validation.addError(TERMS_REQUIRED);
  }
}

/** `ui:field: MarketplaceTermsAcceptance`: a checkbox that must be ticked. */
export const MarketplaceTermsAcceptance = createFormField({
  name: 'MarketplaceTermsAcceptance',
  component: TermsInput,
  validation: validateTerms,
});
