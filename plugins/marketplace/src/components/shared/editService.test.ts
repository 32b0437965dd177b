import { fullModelService } from '../../__fixtures__/entities';
import { changesOf, formDataFromEntity, microsToUsd } from './editService';
import { editOutcomeText } from '../scaffolder/ServicePreviewField';

describe('editing a published service', () => {
  it('fills the publish form from the entity, prices as the form takes them', () => {
    expect(microsToUsd(2_500)).toBe('0.0025');
    expect(microsToUsd(10_000_000)).toBe('10');
    expect(microsToUsd(1_234_567)).toBe('1.234567');
    const form = formDataFromEntity(fullModelService);
    expect(form).toMatchObject({
      editing: fullModelService.metadata.name,
      name: fullModelService.metadata.name,
      promptPer1k: microsToUsd(fullModelService.spec.pricing.promptPer1kMicros),
      endpointUrl: fullModelService.spec.endpoint.baseUrl,
      latencyP95Ms: fullModelService.spec.sla.latencyMs.p95,
    });
    expect(changesOf(form, { ...form })).toEqual([]);
  });

  it('lists what changes, and sends a changed endpoint or price back to review', () => {
    const before = formDataFromEntity(fullModelService);
    const after = {
      ...before,
      promptPer1k: '9.5',
      endpointUrl: 'https://llm.other.example/v1',
    };
    const changes = changesOf(before, after);
    expect(changes.map(c => c.label)).toEqual([
      'Prompt price per 1K tokens (USD)',
      'Upstream endpoint URL',
    ]);
    expect(changes[0]).toMatchObject({ after: '9.5' });
    expect(editOutcomeText(changes, true, false)).toMatch(/back to review/);
    // Prices are reviewed too: the approved ones stay until an admin approves.
    expect(editOutcomeText(changes.slice(0, 1), true, false)).toMatch(
      /back to review/,
    );
    const retitled = changesOf(before, { ...before, title: 'Renamed' });
    expect(editOutcomeText(retitled, true, false)).toMatch(
      /go live as soon as you save/,
    );
    expect(editOutcomeText(changes, false, false)).toMatch(/go live/);
    expect(editOutcomeText([], true, false)).toMatch(/Nothing changed/);
  });
});
