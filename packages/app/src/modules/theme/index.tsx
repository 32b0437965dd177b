import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { ThemeBlueprint } from '@backstage/plugin-app-react';
import {
  createUnifiedTheme,
  palettes,
  UnifiedThemeProvider,
} from '@backstage/theme';
import LightIcon from '@material-ui/icons/WbSunny';
import DarkIcon from '@material-ui/icons/Brightness2';

/**
 * Backstage's light and dark themes with two accessibility fixes:
 *
 * - Status colours readable as text (WCAG AA, 4.5:1). Backstage's palettes
 *   leave success, warning and info to Material UI's defaults, whose warning
 *   (#ed6c02, 3.1:1 on white) and info (#0288d1, 3.9:1) fail as the label of
 *   an outlined chip and under white text on a filled one (axe-core's
 *   color-contrast, e2e/journeys/accessibility.spec.ts).
 * - Sidebar labels at their full width: Backstage fixes them at 110 px and
 *   keeps a 48 px box after each for children, which cuts "My subscriptions"
 *   and "Provider dashboard" although the open sidebar has room for them. A
 *   label longer than the sidebar ("Register Existing Component") takes a
 *   second line instead of an ellipsis.
 */
const sidebarItem = {
  BackstageSidebarItem: {
    styleOverrides: {
      label: {
        width: 'auto',
        minWidth: 0,
        whiteSpace: 'normal',
        overflowWrap: 'normal',
        lineHeight: 1.25,
      },
      // An empty 48 px box after every label (for an item's children).
      secondaryAction: { width: 'auto' },
    },
  },
};

export const marketplaceLightTheme = createUnifiedTheme({
  palette: {
    ...palettes.light,
    success: { main: '#2e7d32' },
    warning: { main: '#b45309' },
    info: { main: '#0277bd' },
  },
  components: sidebarItem as any,
});

export const marketplaceDarkTheme = createUnifiedTheme({
  palette: {
    ...palettes.dark,
    // Material UI's dark defaults read at 4.3:1 or less on the dark paper.
    success: { main: '#81c784' },
    warning: { main: '#ffb74d' },
    info: { main: '#4fc3f7' },
  },
  components: sidebarItem as any,
});

const lightTheme = ThemeBlueprint.make({
  name: 'light',
  params: {
    theme: {
      id: 'light',
      title: 'Light Theme',
      variant: 'light',
      icon: <LightIcon />,
      Provider: ({ children }) => (
        <UnifiedThemeProvider theme={marketplaceLightTheme}>
          {children}
        </UnifiedThemeProvider>
      ),
    },
  },
});

const darkTheme = ThemeBlueprint.make({
  name: 'dark',
  params: {
    theme: {
      id: 'dark',
      title: 'Dark Theme',
      variant: 'dark',
      icon: <DarkIcon />,
      Provider: ({ children }) => (
        <UnifiedThemeProvider theme={marketplaceDarkTheme}>
          {children}
        </UnifiedThemeProvider>
      ),
    },
  },
});

/** Replaces the app's `theme:app/light` and `theme:app/dark`. */
export const themeModule = createFrontendModule({
  pluginId: 'app',
  extensions: [lightTheme, darkTheme],
});
