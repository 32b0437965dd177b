import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// Component tests drive whole pages with user-event; on a busy 2-core CI machine
// a test can need more than jest's default 5 s, and a lazy page more than the
// default 1 s for `findBy*`. Generous limits only make slow runs pass; they never
// make a failing assertion pass.
jest.setTimeout(30_000);
configure({ asyncUtilTimeout: 5_000 });
