import fs from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { render, screen, within } from '@testing-library/react';
import { SampleUser, SampleUsersSignInPage } from './SampleUsersSignInPage';

const repoRoot = path.resolve(__dirname, '../../../../..');

function readYaml(file: string) {
  return parse(fs.readFileSync(path.join(repoRoot, file), 'utf8'));
}

/** The sign-in page's configured users (app-config.yaml, sign-in-page:app). */
function configuredSignInUsers(): SampleUser[] {
  const config = readYaml('app-config.yaml');
  const extension = config.app.extensions.find(
    (e: object) => 'sign-in-page:app' in e,
  );
  return extension['sign-in-page:app'].config.sampleUsers;
}

describe('the sample users on the sign-in page', () => {
  it('lists every user the sampleUsers auth provider accepts, each with a role, and only catalog users', () => {
    // The provider is development-only configuration (app-config.development.yaml).
    const providerUsers: string[] = readYaml('app-config.development.yaml').auth
      .providers.sampleUsers.users;
    const pageUsers = configuredSignInUsers();
    const catalogUsers = parseAllDocuments(
      fs.readFileSync(path.join(repoRoot, 'examples/org.yaml'), 'utf8'),
    )
      .map(doc => doc.toJS())
      .filter(entity => entity?.kind === 'User')
      .map(entity => entity.metadata.name);

    expect(pageUsers.map(u => u.name).sort()).toEqual(
      [...providerUsers].sort(),
    );
    expect([...providerUsers].sort()).toEqual([...catalogUsers].sort());
    for (const user of pageUsers) {
      expect(['consumer', 'provider', 'admin']).toContain(user.role);
      expect(user.description).toBeTruthy();
    }
  });

  it('groups the users by role under headings that say what each role is for', () => {
    render(
      <SampleUsersSignInPage
        onSignInSuccess={jest.fn()}
        sampleUsers={[
          { name: 'ada', role: 'admin', description: 'Runs the platform' },
          { name: 'lena.fischer', role: 'consumer', description: 'Checkout' },
          { name: 'wei.chen', role: 'provider', description: 'Research' },
          { name: 'guest', description: 'no role given: a consumer' },
        ]}
      />,
    );
    const list = screen.getByRole('list', { name: 'Sample users' });
    const texts = within(list)
      .getAllByText(/^(Consumers|Provider teams|Platform admin|[a-z.]+)$/)
      .map(element => element.textContent);
    expect(texts).toEqual([
      'Consumers',
      'lena.fischer',
      'guest',
      'Provider teams',
      'wei.chen',
      'Platform admin',
      'ada',
    ]);
    expect(
      within(list).getByText(/publish and edit services/i),
    ).toBeInTheDocument();
  });
});
