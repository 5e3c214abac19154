/**
 * Types for the one hyparquet internal the data layer uses: its page-header parser, so a file's
 * pages can be checked before hyparquet decodes them (see parquet.ts `checkPages`). hyparquet's
 * package exports `./src/*.js`; its own .d.ts files live under `types/`, which TypeScript's
 * `node` module resolution does not map, hence this declaration.
 */
declare module 'hyparquet/src/column.js' {
  import type { DataReader, PageHeader } from 'hyparquet';
  export function parquetHeader(reader: DataReader): PageHeader;
}
