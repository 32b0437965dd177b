import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import Tooltip from '@mui/material/Tooltip';
import BugReportIcon from '@mui/icons-material/BugReport';
import DescriptionIcon from '@mui/icons-material/Description';
import ScienceIcon from '@mui/icons-material/Science';
import { Link as RouterLink } from 'react-router-dom';
import { configApiRef, useApi } from '@backstage/frontend-plugin-api';
import { useEntityRefLink } from '@backstage/plugin-catalog-react';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { ModelServiceEntityV1alpha1 } from '@internal/plugin-marketplace-common';

const DOC_LINK = /doc/i;
const ISSUE_LINK = /issue|bug|support/i;

/** Only http(s) links are followed (never `javascript:` or `data:`). */
const WEB_URL = /^https?:\/\//i;

function entityLink(entity: ModelServiceEntityV1alpha1, pattern: RegExp) {
  return (entity.metadata.links ?? []).find(
    l =>
      WEB_URL.test(l.url?.trim() ?? '') &&
      (pattern.test(l.type ?? '') || pattern.test(l.title ?? '')),
  )?.url;
}

/**
 * Where "View documentation" goes: the service's `spec.support.documentationUrl`,
 * else an entity link whose type or title says docs.
 */
export function documentationUrl(
  entity: ModelServiceEntityV1alpha1,
): string | undefined {
  return entity.spec.support?.documentationUrl ?? entityLink(entity, DOC_LINK);
}

/**
 * Where "Report issue" goes: `spec.support.issuesUrl`, else an entity link whose
 * type or title says issues, else `marketplace.reportIssueUrl` from the app config
 * with `{name}`, `{title}`, `{entityRef}` and `{provider}` filled in (URL-encoded).
 */
export function reportIssueUrl(
  entity: ModelServiceEntityV1alpha1,
  template: string | undefined,
): string | undefined {
  const own = entity.spec.support?.issuesUrl ?? entityLink(entity, ISSUE_LINK);
  if (own || !template) {
    return own;
  }
  const values: Record<string, string> = {
    name: entity.metadata.name,
    title: entity.metadata.title ?? entity.metadata.name,
    entityRef: stringifyEntityRef(entity),
    provider: entity.spec.providedBy,
  };
  return template.replace(/\{(name|title|entityRef|provider)\}/g, (_m, key) =>
    encodeURIComponent(values[key]),
  );
}

function DisabledWithReason(props: {
  label: string;
  reason: string;
  icon: JSX.Element;
}) {
  return (
    <Tooltip title={props.reason}>
      {/* A disabled button fires no events: the span carries the tooltip. */}
      <span>
        <Button variant="outlined" startIcon={props.icon} disabled>
          {props.label}
        </Button>
      </span>
    </Tooltip>
  );
}

/** Test API, View documentation and Report issue for a ModelService. */
export function ServiceLinks(props: { entity: ModelServiceEntityV1alpha1 }) {
  const { entity } = props;
  const config = useApi(configApiRef);
  const entityLinkTo = useEntityRefLink();
  const docs = documentationUrl(entity);
  const issues = reportIssueUrl(
    entity,
    config.getOptionalString('marketplace.reportIssueUrl'),
  );
  const apiTab = `${entityLinkTo(entity).replace(/\/+$/, '')}/api`;

  return (
    <Stack
      direction="row"
      spacing={1}
      useFlexGap
      flexWrap="wrap"
      component="nav"
      aria-label="Service actions"
    >
      <Button
        variant="outlined"
        startIcon={<ScienceIcon />}
        component={RouterLink}
        to={apiTab}
      >
        Test API
      </Button>
      {docs ? (
        <Button
          variant="outlined"
          startIcon={<DescriptionIcon />}
          href={docs}
          target="_blank"
          rel="noopener noreferrer"
        >
          View documentation
        </Button>
      ) : (
        <DisabledWithReason
          label="View documentation"
          icon={<DescriptionIcon />}
          reason="The provider has not linked any documentation"
        />
      )}
      {issues ? (
        <Button
          variant="outlined"
          startIcon={<BugReportIcon />}
          href={issues}
          target="_blank"
          rel="noopener noreferrer"
        >
          Report issue
        </Button>
      ) : (
        <DisabledWithReason
          label="Report issue"
          icon={<BugReportIcon />}
          reason="The provider has not linked an issue tracker"
        />
      )}
    </Stack>
  );
}
