import Stack from '@mui/material/Stack';
import { useEntity } from '@backstage/plugin-catalog-react';
import { isModelServiceEntity } from '@internal/plugin-marketplace-common';
import { TestApiPanel } from './TestApiPanel';

/** The API tab of a ModelService: the Test API playground. */
export function TestApiEntityContent() {
  const { entity } = useEntity();
  if (!isModelServiceEntity(entity)) {
    return null;
  }
  return (
    <Stack spacing={3}>
      <TestApiPanel entity={entity} />
    </Stack>
  );
}
