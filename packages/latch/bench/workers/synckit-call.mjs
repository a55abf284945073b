// The same call served by synckit.
import { runAsWorker } from 'synckit';

runAsWorker(async ({ a, b }) => a + b);
