import Chip from '@mui/material/Chip';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { ServiceApproval } from '@internal/plugin-marketplace-common';

/**
 * Where an approved service will send requests and with whose credential: the
 * endpoint host (and whether it changed since the last approval) and the
 * upstream credential (its owner and fingerprint, or why its provider may not
 * use it). Never a value.
 */
export function EndpointCredential(props: { approval: ServiceApproval }) {
  const { endpoint, credential } = props.approval;
  if (!endpoint) {
    return <Typography variant="body2">—</Typography>;
  }
  return (
    <Stack
      spacing={0.25}
      alignItems="flex-start"
      sx={{ minWidth: 200, maxWidth: 280 }}
      data-testid="endpoint-credential"
    >
      <Typography variant="body2">
        <code>{endpoint.host}</code>
      </Typography>
      {endpoint.changedSinceApproval === true && (
        <Chip
          size="small"
          color="warning"
          label={`Host changed since approval (was ${endpoint.approvedHost})`}
        />
      )}
      {endpoint.changedSinceApproval === false && (
        <Typography variant="caption" color="text.secondary">
          Same host as at the last approval
        </Typography>
      )}
      {endpoint.changedSinceApproval === null && (
        <Typography variant="caption" color="text.secondary">
          No earlier approval of this host
        </Typography>
      )}
      {credential ? (
        <>
          <Typography variant="body2" sx={{ wordBreak: 'break-all' }}>
            <code>{credential.name}</code>
          </Typography>
          <Typography variant="caption" color="text.secondary">
            {[
              credential.fingerprint,
              credential.source === 'config' ? 'portal config' : null,
              credential.source === 'provider'
                ? 'stored by the provider'
                : null,
              credential.owner === props.approval.providerRef
                ? "this provider's"
                : null,
              credential.owner &&
              credential.owner !== props.approval.providerRef
                ? `belongs to ${credential.owner}`
                : null,
              !credential.owner && credential.usable
                ? 'any provider (development)'
                : null,
            ]
              .filter(Boolean)
              .join(' · ')}
          </Typography>
          {!credential.usable && (
            <Chip
              size="small"
              color="error"
              label="The gateway will refuse it"
            />
          )}
          {!credential.usable && credential.problem && (
            <Typography variant="caption" color="error">
              {credential.problem}
            </Typography>
          )}
        </>
      ) : (
        <Typography variant="caption" color="text.secondary">
          No upstream credential (auth: none)
        </Typography>
      )}
    </Stack>
  );
}
