import { ReactNode } from 'react';
import { ReasonDialog } from './ReasonDialog';
import { useToastedAction } from './useToastedAction';

/** Longest rejection reason (trimmed), as the API enforces it. */
const MAX_REASON = 1000;

/**
 * Asks an admin for the reason of a rejection (1 to 1,000 characters) of a
 * service or a provider in the approval queue, then rejects it through
 * `reject`, with a toast either way.
 */
export function RejectDialog<T extends { name: string }>(props: {
  /** What is being rejected; the dialog is open while it is set. */
  rejecting: T | undefined;
  /** Unique per page: labels the dialog. */
  id: string;
  title: string;
  /** Under the field while the reason is valid. */
  hint: string;
  /** What the rejection means for its owners. */
  children: ReactNode;
  /** The API call that rejects it with the reason. */
  reject: (name: string, reason: string) => Promise<unknown>;
  busy: boolean;
  run: ReturnType<typeof useToastedAction>['run'];
  onCancel: () => void;
}) {
  const { rejecting, id, title, hint, children, reject, busy, run, onCancel } =
    props;
  return (
    <ReasonDialog
      open={!!rejecting}
      id={id}
      title={title}
      confirmLabel="Reject"
      maxLength={MAX_REASON}
      hint={hint}
      busy={busy}
      onConfirm={reason =>
        rejecting &&
        run(
          () => reject(rejecting.name, reason),
          `${rejecting.name} was rejected`,
          `Could not reject ${rejecting.name}`,
        )
      }
      onCancel={onCancel}
    >
      {children}
    </ReasonDialog>
  );
}
