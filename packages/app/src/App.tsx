import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import { marketplaceScaffolderModule } from '@internal/plugin-marketplace';
import { navModule } from './modules/nav';
import { homeModule } from './modules/home';
import { searchModule } from './modules/search';
import { signInModule } from './modules/signIn';
import { themeModule } from './modules/theme';

export default createApp({
  features: [
    catalogPlugin,
    navModule,
    homeModule,
    searchModule,
    signInModule,
    themeModule,
    marketplaceScaffolderModule,
  ],
});
