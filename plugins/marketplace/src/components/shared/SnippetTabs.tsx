import { useState } from 'react';
import Box from '@mui/material/Box';
import Tab from '@mui/material/Tab';
import Tabs from '@mui/material/Tabs';
import { CodeSnippet } from '@backstage/core-components';
import {
  curlSnippet,
  SNIPPETS,
  SnippetInput,
  SnippetLanguage,
} from '../StartUsing/snippets';
import { Field } from './Field';

/**
 * Visually hidden but in the DOM: the exact curl command for scripts and tests.
 * Sizes in px: in `sx` a width of 1 means 100%, which made this hidden `<pre>`
 * as wide as the page and scrolled the API tab sideways.
 */
export const visuallyHidden = {
  position: 'absolute',
  width: '1px',
  height: '1px',
  p: 0,
  m: '-1px',
  overflow: 'hidden',
  clip: 'rect(0 0 0 0)',
  whiteSpace: 'pre',
  border: 0,
} as const;

/**
 * curl / Python / JavaScript snippets for calling a service through the gateway,
 * in tabs. The curl text is also rendered visually hidden (`data-testid`
 * `curl-snippet`) so tests can read it without the syntax highlighter's markup.
 */
export function SnippetTabs(props: { input: SnippetInput }) {
  const { input } = props;
  const [tab, setTab] = useState<SnippetLanguage>('curl');
  return (
    <>
      <Tabs
        value={tab}
        onChange={(_e, value) => setTab(value)}
        aria-label="Code snippets"
      >
        {SNIPPETS.map(s => (
          <Tab
            key={s.id}
            value={s.id}
            label={s.label}
            id={`snippet-tab-${s.id}`}
            aria-controls={`snippet-panel-${s.id}`}
          />
        ))}
      </Tabs>
      {SNIPPETS.map(s => (
        <Box
          key={s.id}
          role="tabpanel"
          id={`snippet-panel-${s.id}`}
          aria-labelledby={`snippet-tab-${s.id}`}
          hidden={tab !== s.id}
          sx={{ pt: 1 }}
        >
          {tab === s.id && (
            <CodeSnippet
              text={s.build(input)}
              language={s.language}
              showCopyCodeButton
              wrapLongLines
            />
          )}
        </Box>
      ))}
      <Box
        component="pre"
        data-testid="curl-snippet"
        aria-hidden="true"
        sx={visuallyHidden}
      >
        {curlSnippet(input)}
      </Box>
    </>
  );
}

/** The gateway base URL and `model` of a service, side by side. */
export function EndpointFields(props: { baseUrl: string; model: string }) {
  return (
    <Box
      sx={{
        display: 'grid',
        gap: 2,
        gridTemplateColumns: { xs: '1fr', sm: '2fr 1fr' },
      }}
    >
      <Field label="Base URL">
        <Box
          component="code"
          data-testid="endpoint-base-url"
          sx={{ fontFamily: 'monospace', wordBreak: 'break-all' }}
        >
          {props.baseUrl}
        </Box>
      </Field>
      <Field label="Model">
        <Box
          component="code"
          data-testid="endpoint-model"
          sx={{ fontFamily: 'monospace', wordBreak: 'break-all' }}
        >
          {props.model}
        </Box>
      </Field>
    </Box>
  );
}
