import Box from '@mui/material/Box';
import { useTheme } from '@mui/material/styles';
import { CopyTextButton } from '@backstage/core-components';
import { LightAsync } from 'react-syntax-highlighter';
import a11yDark from 'react-syntax-highlighter/dist/cjs/styles/hljs/a11y-dark';
import a11yLight from 'react-syntax-highlighter/dist/cjs/styles/hljs/a11y-light';

/**
 * Code with syntax highlighting and a copy button, like Backstage's
 * CodeSnippet, in highlight.js's a11y themes: CodeSnippet's light theme
 * (docco) prints strings in green at 3.75:1 on its background, below the
 * 4.5:1 that text needs (axe: color-contrast, serious).
 */
export function CodeBlock(props: {
  text: string;
  language: string;
  showCopyCodeButton?: boolean;
  wrapLongLines?: boolean;
}) {
  const theme = useTheme();
  return (
    <Box sx={{ position: 'relative' }}>
      <LightAsync
        language={props.language}
        style={theme.palette.mode === 'dark' ? a11yDark : a11yLight}
        wrapLines
        wrapLongLines={props.wrapLongLines}
      >
        {props.text}
      </LightAsync>
      {props.showCopyCodeButton && (
        <Box sx={{ position: 'absolute', top: 0, right: 0 }}>
          <CopyTextButton text={props.text} />
        </Box>
      )}
    </Box>
  );
}
