import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { SidebarContent } from './Sidebar';
import { pageLayout } from './PageLayout';

export const navModule = createFrontendModule({
  pluginId: 'app',
  extensions: [SidebarContent, pageLayout],
});
