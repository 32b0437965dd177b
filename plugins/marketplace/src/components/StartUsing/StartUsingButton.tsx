import { useState } from 'react';
import Button, { ButtonProps } from '@mui/material/Button';
import Tooltip from '@mui/material/Tooltip';
import RocketLaunchIcon from '@mui/icons-material/RocketLaunch';
import {
  ModelServiceEntityV1alpha1,
  SubscribeResponse,
} from '@internal/plugin-marketplace-common';
import { StartUsingDialog } from './StartUsingDialog';

/** Why a deprecated service takes no subscriptions, and what to use instead. */
export function deprecationReason(entity: ModelServiceEntityV1alpha1): string {
  const { successor } = entity.spec;
  return `Deprecated: ${
    entity.metadata.title ?? entity.metadata.name
  } takes no new subscriptions${
    successor ? `. Use ${successor} instead` : ''
  }.`;
}

/**
 * The "Start Using" button alone; disabled for deprecated services, which the
 * gateway no longer serves.
 */
export function StartUsingAction(props: {
  entity: ModelServiceEntityV1alpha1;
  size?: ButtonProps['size'];
  variant?: ButtonProps['variant'];
  onClick: () => void;
}) {
  const { entity, size = 'medium', variant = 'contained', onClick } = props;
  const deprecated = entity.spec.lifecycle === 'deprecated';
  const title = entity.metadata.title ?? entity.metadata.name;
  const button = (
    <Button
      size={size}
      variant={variant}
      startIcon={<RocketLaunchIcon />}
      onClick={onClick}
      disabled={deprecated}
      aria-label={`Start Using ${title}`}
      sx={{ whiteSpace: 'nowrap' }}
    >
      Start Using
    </Button>
  );
  return deprecated ? (
    <Tooltip title={deprecationReason(entity)}>
      <span>{button}</span>
    </Tooltip>
  ) : (
    button
  );
}

export type StartUsingButtonProps = {
  entity: ModelServiceEntityV1alpha1;
  size?: ButtonProps['size'];
  variant?: ButtonProps['variant'];
  /** Called once subscribed (the dialog stays open to show the key). */
  onSubscribed?: (response: SubscribeResponse) => void;
  /** Called when the dialog closes. */
  onClosed?: () => void;
};

/** "Start Using" with its {@link StartUsingDialog}. */
export function StartUsingButton(props: StartUsingButtonProps) {
  const { entity, size, variant, onSubscribed, onClosed } = props;
  const [open, setOpen] = useState(false);
  return (
    <>
      <StartUsingAction
        entity={entity}
        size={size}
        variant={variant}
        onClick={() => setOpen(true)}
      />
      <StartUsingDialog
        open={open}
        entity={entity}
        onClose={() => {
          setOpen(false);
          onClosed?.();
        }}
        onSubscribed={onSubscribed}
      />
    </>
  );
}
