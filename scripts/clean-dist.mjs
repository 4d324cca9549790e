// Empties dist/ before a build, so a file whose source was removed is never packed or run.
import { rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
