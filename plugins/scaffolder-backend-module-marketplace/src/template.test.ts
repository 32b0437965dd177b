import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import {
  API_COMPATIBILITIES,
  AVAILABILITY_SCHEDULES,
  COMPLIANCE_CERTIFICATIONS,
  GEO_REGIONS,
  HH_MM_PATTERN,
  ISO_COUNTRY_PATTERN,
  MODEL_FAMILIES,
  MODEL_FEATURES,
  SECRET_REF_PATTERN,
  UPSTREAM_AUTH_TYPES,
  UPSTREAM_PROTOCOLS,
  URL_PATTERN,
  WEEKDAYS,
} from '@internal/plugin-marketplace-common';
import { PublishInput, toModelServiceEntity } from './actions/serviceEntity';

const TEMPLATE = path.resolve(
  __dirname,
  '../../../examples/templates/publish-llm-service/template.yaml',
);
const template = parse(fs.readFileSync(TEMPLATE, 'utf8'));
const steps: any[] = template.spec.parameters;
const properties: Record<string, any> = Object.assign(
  {},
  ...steps.map(s => s.properties),
);

/** What the scaffolder does with `${{ parameters.x }}` (whole-value expressions keep their type). */
function render(value: any, parameters: Record<string, unknown>): any {
  if (typeof value === 'string') {
    const m = /^\$\{\{ parameters\.(\w+) \}\}$/.exec(value);
    return m ? parameters[m[1]] : value;
  }
  if (Array.isArray(value)) {
    return value.map(v => render(v, parameters));
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, render(v, parameters)]),
    );
  }
  return value;
}

/** The form's defaults plus what a provider types in. */
const filledIn: Record<string, unknown> = {
  ...Object.fromEntries(
    Object.entries(properties)
      .filter(([, p]) => p.default !== undefined)
      .map(([k, p]) => [k, p.default]),
  ),
  name: 'team-llama-70b',
  title: 'Team Llama 70B',
  description: 'Llama 3.1 70B for internal summarisation and triage.',
  family: 'llama',
  baseModel: 'llama-3.1-70b-instruct',
  providedBy: 'provider:default/acme-ai-platform',
  owner: 'group:default/ai-platform-team',
  promptPer1k: '0.0009',
  completionPer1k: '0.0012',
  endpointUrl: 'https://llm.acme.example/v1',
  secretRef: 'TEAM_LLAMA_KEY',
  country: 'DE',
  region: 'europe',
  dataCenters: ['fra-1'],
  maintenanceWindows: [
    {
      start: '2099-03-01T01:00:00.000Z',
      end: '2099-03-01T03:00:00.000Z',
    },
  ],
  termsAccepted: true,
};

describe('the "Publish LLM service" template', () => {
  it("has the six steps of the plan: five of answers, then the wizard's own review as Review & publish", () => {
    expect(steps.map(s => s.title)).toEqual([
      'Basic info',
      'Pricing',
      'Technical details',
      'Infrastructure',
      'Performance commitments',
    ]);
    // Backstage's wizard always adds its review step, labelled with this.
    expect(template.spec.presentation.buttonLabels).toEqual({
      reviewButtonText: 'Review & publish',
      createButtonText: 'Publish',
    });
  });

  it('offers exactly the choices the ModelService schema accepts', () => {
    expect(properties.family.enum).toEqual([...MODEL_FAMILIES]);
    expect(properties.authType.enum).toEqual([...UPSTREAM_AUTH_TYPES]);
    expect(properties.upstreamProtocol.enum).toEqual([...UPSTREAM_PROTOCOLS]);
    expect(properties.features.items.enum).toEqual([...MODEL_FEATURES]);
    expect(properties.apiCompatibility.items.enum).toEqual([
      ...API_COMPATIBILITIES,
    ]);
    expect(properties.region.enum).toEqual([...GEO_REGIONS]);
    expect(properties.compliance.items.enum).toEqual([
      ...COMPLIANCE_CERTIFICATIONS,
    ]);
    expect(properties.schedule.enum).toEqual([...AVAILABILITY_SCHEDULES]);
    for (const list of ['customHours', 'weeklyMaintenance']) {
      const hours = properties[list].items.properties;
      expect(hours.days.items.enum).toEqual([...WEEKDAYS]);
      expect(hours.start.pattern).toBe(HH_MM_PATTERN);
      expect(hours.end.pattern).toBe(HH_MM_PATTERN);
    }
    for (const url of ['endpointUrl', 'documentationUrl', 'issuesUrl']) {
      expect(properties[url].pattern).toBe(URL_PATTERN);
    }
    expect(properties.country.pattern).toBe(ISO_COUNTRY_PATTERN);
    expect(properties.secretRef.pattern).toBe(SECRET_REF_PATTERN);
  });

  it('requires every field the step needs, and every required field exists', () => {
    for (const step of steps) {
      for (const field of step.required ?? []) {
        expect(step.properties).toHaveProperty(field);
      }
    }
  });

  it('passes every parameter to marketplace:publish, which builds a valid ModelService', () => {
    const [publish] = template.spec.steps;
    expect(publish.action).toBe('marketplace:publish');
    const input = render(publish.input, filledIn);

    // Every form field reaches the action (the card preview and the checks
    // across a step's fields hold no answer).
    const mapped = JSON.stringify(publish.input);
    for (const field of Object.keys(properties).filter(
      f => f !== 'preview' && !f.endsWith('Checks'),
    )) {
      expect(mapped).toContain(`parameters.${field} }}`);
    }

    const { termsAccepted, ...rest } = input;
    expect(termsAccepted).toBe(true);
    const entity = toModelServiceEntity(rest as PublishInput);
    expect(entity.metadata.name).toBe('team-llama-70b');
    expect(entity.spec.trial).toEqual({ tokens: 100_000, durationDays: 30 });
    expect(entity.spec.features.streaming).toBe(true);
    expect(entity.spec.sla.latencyMs).toEqual({
      p50: 500,
      p95: 1500,
      p99: 3000,
    });
    expect(entity.spec.availability).toEqual({
      schedule: '24/7',
      timezone: 'UTC',
      maintenanceWindows: [
        {
          start: '2099-03-01T01:00:00.000Z',
          end: '2099-03-01T03:00:00.000Z',
        },
      ],
    });
    expect(entity.spec.endpoint.auth).toEqual({
      type: 'bearer',
      secretRef: 'TEAM_LLAMA_KEY',
    });
  });

  it('links to the new service page when done', () => {
    expect(template.spec.output.links).toEqual([
      {
        title: 'Open the service',
        icon: 'catalog',
        entityRef: '${{ steps.publish.output.entityRef }}',
      },
      {
        title: 'Your services',
        icon: 'dashboard',
        url: '/marketplace/provider?tab=services',
      },
    ]);
  });
});
