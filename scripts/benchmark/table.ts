/** The printed table: one row per figure, with its target and PASS/FAIL when it has one. */

/** Figure, measured, target, and whether it passed (undefined: no target). */
export type Row = [string, string, string, boolean | undefined];

export const ms = (n: number) => n.toFixed(0);

export function printTable(rows: Row[]): void {
  const width = [0, 1, 2].map((c) => Math.max(...rows.map((r) => String(r[c]).length)));
  console.log('');
  console.log(
    `${'figure'.padEnd(width[0]!)}  ${'measured'.padEnd(width[1]!)}  ${'target'.padEnd(width[2]!)}  result`,
  );
  for (const [name, value, target, pass] of rows)
    console.log(
      `${name.padEnd(width[0]!)}  ${value.padEnd(width[1]!)}  ${target.padEnd(width[2]!)}  ${pass === undefined ? '' : pass ? 'PASS' : 'FAIL'}`,
    );
}
