import { defineConfig } from 'tsup';
import options from '@x/tsconfig/tsup';

export default defineConfig(options);
