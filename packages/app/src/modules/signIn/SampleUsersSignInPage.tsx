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
import ListSubheader from '@mui/material/ListSubheader';
import Typography from '@mui/material/Typography';

/** One selectable sample user (a User entity name in the catalog). */
export interface SampleUser {
  name: string;
  description?: string;
  /** Which journeys the user is for; users are grouped by it. */
  role?: 'consumer' | 'provider' | 'admin';
}

/** The role groups, in the order a newcomer would try them. */
const ROLE_GROUPS: {
  role: NonNullable<SampleUser['role']>;
  title: string;
  purpose: string;
}[] = [
  {
    role: 'consumer',
    title: 'Consumers',
    purpose: 'Find a model, subscribe, call it, watch usage and spend',
  },
  {
    role: 'provider',
    title: 'Provider teams',
    purpose: 'Publish and edit services, see revenue, customers and quality',
  },
  {
    role: 'admin',
    title: 'Platform admin',
    purpose: 'Users and roles, approvals, suspensions, audit log, payouts',
  },
];

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
      <Card sx={{ width: 560, maxWidth: '100%', my: 4 }} component="main">
        <CardContent>
          <Typography variant="h4" component="h1" gutterBottom>
            LLM Marketplace
          </Typography>
          <Typography color="text.secondary" gutterBottom>
            Local sign-in: choose a sample user to try the marketplace in that
            role.
          </Typography>
          <List aria-label="Sample users" dense>
            {ROLE_GROUPS.map(group => {
              const users = sampleUsers.filter(
                user => (user.role ?? 'consumer') === group.role,
              );
              if (users.length === 0) {
                return null;
              }
              return [
                <ListSubheader
                  key={`role-${group.role}`}
                  disableSticky
                  sx={{ lineHeight: 1.4, pt: 2, pb: 1 }}
                >
                  <Typography
                    variant="subtitle2"
                    component="span"
                    color="text.primary"
                    fontWeight={700}
                  >
                    {group.title}
                  </Typography>
                  <Typography
                    variant="caption"
                    component="span"
                    display="block"
                  >
                    {group.purpose}
                  </Typography>
                </ListSubheader>,
                ...users.map(user => (
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
                )),
              ];
            })}
          </List>
        </CardContent>
      </Card>
    </Box>
  );
}
