import { InfoCard } from '@backstage/core-components';
import { ModelServiceSpec } from '@internal/plugin-marketplace-common';
import { countryLabel, regionLabel } from '../../format';
import { Field } from '../shared/Field';
import { FullRow, Section } from '../shared/Section';
import { ChipList } from '../shared/chips';

export function InfrastructureCard(props: { spec: ModelServiceSpec }) {
  const geo = props.spec.geographic;
  return (
    <InfoCard title="Geography and compliance">
      <Section title="Where requests are served">
        <Field label="Country">{countryLabel(geo?.country)}</Field>
        <Field label="Region">{regionLabel(geo?.region)}</Field>
        <Field label="City">{geo?.city}</Field>
        <FullRow>
          <Field label="Data centers">
            <ChipList items={geo?.dataCenters} emptyText="—" />
          </Field>
        </FullRow>
        <FullRow>
          <Field label="Compliance">
            <ChipList
              items={props.spec.compliance}
              color="info"
              emptyText="None declared"
            />
          </Field>
        </FullRow>
      </Section>
    </InfoCard>
  );
}
