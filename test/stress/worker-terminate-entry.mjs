// Node 20 does not apply `--import tsx` to a worker's own module: the worker registers tsx itself.
import { register } from 'tsx/esm/api';

register();
await import('./worker-terminate-body.ts');
