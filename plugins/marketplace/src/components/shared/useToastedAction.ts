import { useState } from 'react';
import { toastApiRef, useApi } from '@backstage/frontend-plugin-api';
import { errorMessage } from '../../api';

/**
 * Runs a page's action (approve, suspend, rotate ...): `busy` while it runs, a
 * success toast and `onSuccess` (close dialogs, reload) when it worked, an error
 * toast naming what failed and why when it did not.
 */
export function useToastedAction(onSuccess: () => void) {
  const toastApi = useApi(toastApiRef);
  const [busy, setBusy] = useState(false);
  const run = async (
    action: () => Promise<unknown>,
    done: string,
    failed: string,
  ) => {
    setBusy(true);
    try {
      await action();
      toastApi.post({ title: done, status: 'success', timeout: 5000 });
      onSuccess();
    } catch (e) {
      toastApi.post({
        title: `${failed}: ${errorMessage(e)}`,
        status: 'danger',
      });
    } finally {
      setBusy(false);
    }
  };
  return { busy, run };
}
