import type { Plugin } from 'esbuild';

export declare const externalDependencies: Plugin;
