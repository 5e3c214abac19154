/** Debian's Chromium and the flags every script here starts it with (scripts/chromium.json, which the TypeScript
 * tests and benches import too); CHROMIUM_PATH names another binary. */
import { readFileSync } from 'node:fs';

const flags = JSON.parse(readFileSync(new URL('./chromium.json', import.meta.url), 'utf8'));
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || flags.path;
export const CHROMIUM_ARGS = flags.args;
