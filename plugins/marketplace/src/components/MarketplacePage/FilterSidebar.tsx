import { ReactNode } from 'react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Checkbox from '@mui/material/Checkbox';
import FormControlLabel from '@mui/material/FormControlLabel';
import FormGroup from '@mui/material/FormGroup';
import Typography from '@mui/material/Typography';
import { BrowseFacets } from '@internal/plugin-marketplace-common';
import { facetCount, FILTER_SECTIONS } from './browseParams';

function FilterOption(props: {
  label: string;
  count: number;
  checked: boolean;
  onChange: () => void;
}) {
  const { label, count, checked, onChange } = props;
  return (
    <FormControlLabel
      sx={{ mr: 0 }}
      disabled={count === 0 && !checked}
      control={
        <Checkbox
          size="small"
          checked={checked}
          onChange={onChange}
          inputProps={{ 'aria-label': `${label} (${count})` }}
        />
      }
      label={
        <Typography variant="body2" component="span">
          {label}{' '}
          <Typography
            variant="body2"
            component="span"
            color="text.secondary"
            data-testid="facet-count"
          >
            ({count})
          </Typography>
        </Typography>
      }
    />
  );
}

function FilterGroup(props: { title: string; children: ReactNode }) {
  const id = `filter-${props.title.toLowerCase().replace(/\W+/g, '-')}`;
  return (
    <Box component="section" aria-labelledby={id} sx={{ mb: 2 }}>
      <Typography id={id} variant="subtitle2" component="h3" gutterBottom>
        {props.title}
      </Typography>
      <FormGroup>{props.children}</FormGroup>
    </Box>
  );
}

export type FilterSidebarProps = {
  params: URLSearchParams;
  facets?: BrowseFacets;
  onToggle: (key: string, value: string) => void;
  onVerifiedChange: (verified: boolean) => void;
  onClear?: () => void;
};

/** One section per filter, every value with its facet count. */
export function FilterSidebar(props: FilterSidebarProps) {
  const { params, facets, onToggle, onVerifiedChange, onClear } = props;
  const verified = params.get('verified') === 'true';
  return (
    <Box component="nav" aria-label="Filters">
      <Box
        sx={{
          display: 'flex',
          alignItems: 'center',
          justifyContent: 'space-between',
          mb: 1,
        }}
      >
        <Typography variant="h6" component="h2">
          Filters
        </Typography>
        {onClear && (
          <Button size="small" onClick={onClear}>
            Clear filters
          </Button>
        )}
      </Box>
      {FILTER_SECTIONS.map(section => {
        const selected = params.getAll(section.key);
        return (
          <FilterGroup key={section.key} title={section.title}>
            {section.values.map(value => (
              <FilterOption
                key={value}
                label={section.label(value)}
                count={facetCount(facets, section.key, value)}
                checked={selected.includes(value)}
                onChange={() => onToggle(section.key, value)}
              />
            ))}
          </FilterGroup>
        );
      })}
      <FilterGroup title="Verified provider">
        <FilterOption
          label="Verified providers only"
          count={facetCount(facets, 'verified', 'true')}
          checked={verified}
          onChange={() => onVerifiedChange(!verified)}
        />
      </FilterGroup>
    </Box>
  );
}
