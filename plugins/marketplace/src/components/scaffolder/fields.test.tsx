import { marketplaceApiRef } from '../../api';
import { mockMarketplaceApi } from '../../__fixtures__/marketplaceApi';
import {
  serviceNameProblem,
  validateServiceName,
  validateTerms,
} from './fields';

const MarketplaceServiceNamePicker = 'name';
const MarketplaceTermsAcceptance = 'terms';

async function validate(
  field: 'name' | 'terms',
  value: unknown,
  api = mockMarketplaceApi(),
) {
  const errors: string[] = [];
  const validation = { addError: (e: string) => errors.push(e) } as any;
  const apiHolder = {
    get: (ref: unknown) => (ref === marketplaceApiRef ? api : undefined),
  } as any;
  if (field === 'name') {
    await validateServiceName(value as string, validation, { apiHolder });
  } else {
    validateTerms(value as boolean, validation);
  }
  return errors;
}

describe('scaffolder fields', () => {
  it('checks the form of a service name', () => {
    expect(serviceNameProblem('')).toBe('Enter a service name');
    expect(serviceNameProblem('ab')).toBe('Use 3 to 63 characters');
    expect(serviceNameProblem('Team_Llama')).toMatch(/lowercase letters/);
    expect(serviceNameProblem('team--llama')).toMatch(/single dashes/);
    expect(serviceNameProblem('team-llama-70b')).toBeUndefined();
  });

  it('keeps the name of the service being edited without asking whether it is free', async () => {
    const api = mockMarketplaceApi({
      checkServiceName: jest
        .fn()
        .mockResolvedValue({ available: false, reason: 'taken' }),
    });
    const apiHolder = { get: () => api } as any;
    const errors: string[] = [];
    const validation = { addError: (e: string) => errors.push(e) } as any;
    await validateServiceName('team-llama', validation, {
      apiHolder,
      formData: { editing: 'team-llama' },
    });
    expect(errors).toEqual([]);
    expect(api.checkServiceName).not.toHaveBeenCalled();
    await validateServiceName('team-llama-2', validation, {
      apiHolder,
      formData: { editing: 'team-llama' },
    });
    expect(errors).toEqual([
      'A published service keeps its name: use team-llama',
    ]);
  });

  it('asks the backend whether the name is free', async () => {
    const api = mockMarketplaceApi({
      checkServiceName: jest.fn().mockResolvedValue({
        name: 'acme-gpt-4o',
        available: false,
        reason: 'acme-gpt-4o is already a service in the catalog',
      }),
    });
    expect(
      await validate(MarketplaceServiceNamePicker, 'acme-gpt-4o', api),
    ).toEqual(['acme-gpt-4o is already a service in the catalog']);
    expect(api.checkServiceName).toHaveBeenCalledWith('acme-gpt-4o');
    expect(
      await validate(MarketplaceServiceNamePicker, 'team-llama-70b'),
    ).toEqual([]);
    // A malformed name is rejected without asking.
    const untouched = mockMarketplaceApi();
    expect(
      await validate(MarketplaceServiceNamePicker, 'Bad Name', untouched),
    ).toHaveLength(1);
    expect(untouched.checkServiceName).not.toHaveBeenCalled();
  });

  it('says when the check itself fails', async () => {
    const api = mockMarketplaceApi({
      checkServiceName: jest.fn().mockRejectedValue(new Error('offline')),
    });
    expect(
      await validate(MarketplaceServiceNamePicker, 'team-llama', api),
    ).toEqual(['Could not check whether team-llama is free: offline']);
  });

  it('requires the terms to be accepted', async () => {
    expect(await validate(MarketplaceTermsAcceptance, undefined)).toEqual([
      'Accept the provider terms to publish',
    ]);
    expect(await validate(MarketplaceTermsAcceptance, false)).toHaveLength(1);
    expect(await validate(MarketplaceTermsAcceptance, true)).toEqual([]);
  });
});
