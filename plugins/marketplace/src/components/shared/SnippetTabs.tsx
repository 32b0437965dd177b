import { useState } from 'react';
import Box from '@mui/material/Box';
import Tab from '@mui/material/Tab';
import Tabs from '@mui/material/Tabs';
import { CodeBlock } from './CodeBlock';
import {
  curlSnippet,
  embeddingsSnippets,
  SNIPPET_API_LABELS,
  SnippetApi,
  snippetApisOf,
  SnippetInput,
  SnippetLanguage,
  snippetsOf,
} from './snippets';
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
export function SnippetTabs(props: {
  input: SnippetInput;
  /** The service's `spec.endpoint.protocol`: which APIs to show. */
  upstreamProtocol?: string;
}) {
  const { input } = props;
  const apis = snippetApisOf(props.upstreamProtocol);
  const [api, setApi] = useState<SnippetApi>(apis[0]);
  const [tab, setTab] = useState<SnippetLanguage>('curl');
  const snippets = snippetsOf(apis.includes(api) ? api : apis[0]);
  const shown = snippets.some(s => s.id === tab) ? tab : snippets[0].id;
  return (
    <>
      {apis.length > 1 && (
        <Tabs
          value={api}
          onChange={(_e, value) => setApi(value)}
          aria-label="API"
          variant="scrollable"
          scrollButtons="auto"
        >
          {apis.map(a => (
            <Tab
              key={a}
              value={a}
              label={SNIPPET_API_LABELS[a]}
              id={`snippet-api-${a}`}
            />
          ))}
        </Tabs>
      )}
      <Tabs
        value={shown}
        onChange={(_e, value) => setTab(value)}
        aria-label="Code snippets"
      >
        {snippets.map(s => (
          <Tab
            key={s.id}
            value={s.id}
            label={s.label}
            id={`snippet-tab-${s.id}`}
            aria-controls={`snippet-panel-${s.id}`}
          />
        ))}
      </Tabs>
      {snippets.map(s => (
        <Box
          key={s.id}
          role="tabpanel"
          id={`snippet-panel-${s.id}`}
          aria-labelledby={`snippet-tab-${s.id}`}
          hidden={shown !== s.id}
          sx={{ pt: 1 }}
        >
          {shown === s.id && (
            <CodeBlock
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
        {apis[0] === 'embeddings'
          ? embeddingsSnippets(input).curl
          : curlSnippet(input)}
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
