import fs from 'fs';
import path from 'path';
import { parseAllDocuments } from 'yaml';
import { validatePublishedModelService } from './publishing';

const sample = parseAllDocuments(
  fs.readFileSync(
    path.resolve(__dirname, '../../../examples/services.yaml'),
    'utf8',
  ),
)
  .map(d => d.toJS())
  .find(e => e?.kind === 'ModelService');

describe('validatePublishedModelService', () => {
  it('accepts a sample service and applies the default namespace', async () => {
    const entity = await validatePublishedModelService(structuredClone(sample));
    expect(entity.metadata.namespace).toBe('default');
    expect(entity.spec).toEqual(sample.spec);
  });

  it.each([
    [
      { ...sample, spec: { ...sample.spec, contextWindow: 'lots' } },
      'ModelService spec.contextWindow must be an integer (a whole number), got "lots"',
    ],
    [
      { ...sample, metadata: { ...sample.metadata, name: 'x'.repeat(64) } },
      'metadata.name',
    ],
    [
      { ...sample, metadata: { ...sample.metadata, name: 'Upper' } },
      'ModelService metadata.name must be lowercase',
    ],
    [
      { ...sample, metadata: { ...sample.metadata, uid: 'u' } },
      'ModelService metadata.uid is set by the catalog',
    ],
    [{ ...sample, status: {} }, 'ModelService status is set by the catalog'],
    [
      { ...sample, metadata: { ...sample.metadata, namespace: 'team-a' } },
      "ModelService metadata.namespace must be 'default'",
    ],
    [
      { ...sample, kind: 'Provider' },
      "ModelService kind must be 'ModelService'",
    ],
    [{ ...sample, apiVersion: 'backstage.io/v1alpha1' }, 'apiVersion'],
    [
      { ...sample, spec: { ...sample.spec, owner: 'user:default/ada' } },
      'ModelService spec.owner must be a group',
    ],
    [
      { ...sample, spec: { ...sample.spec, owner: 'group:' } },
      'ModelService spec.owner',
    ],
    [[], 'ModelService <root> must be an object'],
  ])('rejects %#, naming the field', async (data, message) => {
    await expect(validatePublishedModelService(data)).rejects.toThrow(message);
  });

  it('names every problem at once', async () => {
    const data = structuredClone(sample);
    delete data.spec.owner;
    delete data.spec.lifecycle;
    data.spec.contextWindow = 'lots';
    data.metadata.name = 'Upper';
    data.metadata.uid = 'u';
    await expect(validatePublishedModelService(data)).rejects.toMatchObject({
      problems: [
        { field: 'metadata.uid', message: expect.stringContaining('catalog') },
        {
          field: 'metadata.name',
          message: expect.stringContaining('lowercase'),
        },
        { field: 'spec.owner', message: 'is required' },
        { field: 'spec.lifecycle', message: 'is required' },
        {
          field: 'spec.contextWindow',
          message: expect.stringContaining('integer'),
        },
      ],
    });
  });
});
