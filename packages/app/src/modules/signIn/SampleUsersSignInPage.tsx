import { useState } from 'react';
import { ProxiedSignInPage } from '@backstage/core-components';
import type { IdentityApi, SignInPageProps } from '@backstage/core-plugin-api';
import Avatar from '@mui/material/Avatar';
import Box from '@mui/material/Box';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import List from '@mui/material/List';
import ListItemAvatar from '@mui/material/ListItemAvatar';
import ListItemButton from '@mui/material/ListItemButton';
import ListItemText from '@mui/material/ListItemText';
import Typography from '@mui/material/Typography';

/** One selectable sample user (a User entity name in the catalog). */
export interface SampleUser {
  name: string;
  description?: string;
}

const STORAGE_KEY = 'marketplace.sampleUser';
/** Must match SAMPLE_USER_HEADER in packages/backend/src/modules/authModuleSampleUsersProvider.ts */
const SAMPLE_USER_HEADER = 'x-marketplace-sample-user';

function readStoredUser(): string | undefined {
  try {
    return window.localStorage.getItem(STORAGE_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

/**
 * Forgets the chosen sample user on sign-out, so the sign-in page shows the picker
 * again instead of signing the same user back in.
 */
function forgetOnSignOut(identity: IdentityApi): IdentityApi {
  return {
    getProfileInfo: () => identity.getProfileInfo(),
    getBackstageIdentity: () => identity.getBackstageIdentity(),
    getCredentials: () => identity.getCredentials(),
    signOut: async () => {
      window.localStorage.removeItem(STORAGE_KEY);
      await identity.signOut();
    },
  };
}

function initials(name: string) {
  return name
    .split(/[.\-_ ]/)
    .filter(Boolean)
    .map(part => part[0]!.toLocaleUpperCase('en-US'))
    .slice(0, 2)
    .join('');
}

/**
 * Local development sign-in: pick one of the sample users (consumer, provider,
 * admin ...). The choice is remembered until sign-out. The backend's `sampleUsers`
 * provider signs the user in against the catalog.
 */
export function SampleUsersSignInPage(
  props: SignInPageProps & { sampleUsers: SampleUser[] },
) {
  const { sampleUsers, onSignInSuccess } = props;
  const [selected, setSelected] = useState<string | undefined>(readStoredUser);

  if (selected) {
    return (
      <ProxiedSignInPage
        onSignInSuccess={identity => onSignInSuccess(forgetOnSignOut(identity))}
        provider="sampleUsers"
        headers={{ [SAMPLE_USER_HEADER]: selected }}
        ErrorComponent={({ error }) => (
          <Box p={4}>
            <Typography color="error" gutterBottom>
              Could not sign in as {selected}: {error?.message}
            </Typography>
            <Typography
              component="button"
              onClick={() => {
                window.localStorage.removeItem(STORAGE_KEY);
                setSelected(undefined);
              }}
            >
              Choose another user
            </Typography>
          </Box>
        )}
      />
    );
  }

  return (
    <Box
      sx={{
        minHeight: '100vh',
        display: 'flex',
        alignItems: 'center',
        justifyContent: 'center',
        bgcolor: 'background.default',
      }}
    >
      <Card sx={{ width: 480 }} component="main">
        <CardContent>
          <Typography variant="h4" component="h1" gutterBottom>
            LLM Marketplace
          </Typography>
          <Typography color="text.secondary" gutterBottom>
            Local sign-in: choose a sample user to try the marketplace in that
            role.
          </Typography>
          <List aria-label="Sample users">
            {sampleUsers.map(user => (
              <ListItemButton
                key={user.name}
                onClick={() => {
                  window.localStorage.setItem(STORAGE_KEY, user.name);
                  setSelected(user.name);
                }}
              >
                <ListItemAvatar>
                  <Avatar>{initials(user.name)}</Avatar>
                </ListItemAvatar>
                <ListItemText
                  primary={user.name}
                  secondary={user.description}
                />
              </ListItemButton>
            ))}
          </List>
        </CardContent>
      </Card>
    </Box>
  );
}
