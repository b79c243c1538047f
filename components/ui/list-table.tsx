/**
 * The list pages' table (alerts, dead letters, schedules, API tokens, users): one column definition per column —
 * its header and how a row fills its cell — and a sentence in place of the table when there are no rows. Markup and
 * styles come from ./table.tsx, so every list reads and scrolls the same way at any width.
 */
import type { ReactNode } from 'react';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from './table';

export interface ListColumn<Row> {
  header: ReactNode;
  cell: (row: Row) => ReactNode;
  /** Classes of the column's cells (not its header). */
  className?: string;
}

export interface ListTableProps<Row> {
  rows: readonly Row[];
  columns: readonly ListColumn<Row>[];
  rowKey: (row: Row) => string | number;
  /** Shown instead of the table when there are no rows; without it an empty table is drawn. */
  empty?: ReactNode;
  /** Names the scroll area for screen readers when the table is wider than its card. */
  label?: string;
  /** `data-*` attributes of a row, for tests and scripts that find a row by its content. */
  rowData?: (row: Row) => Record<`data-${string}`, string>;
  testId?: string;
}

export function ListTable<Row>({ rows, columns, rowKey, empty, label, rowData, testId }: ListTableProps<Row>) {
  if (rows.length === 0 && empty !== undefined) return <p className="text-sm text-foreground-muted">{empty}</p>;
  return (
    <Table data-testid={testId} label={label}>
      <TableHeader>
        <TableRow>
          {columns.map((column, index) => (
            <TableHead key={index}>{column.header}</TableHead>
          ))}
        </TableRow>
      </TableHeader>
      <TableBody>
        {rows.map((row) => (
          <TableRow key={rowKey(row)} {...rowData?.(row)}>
            {columns.map((column, index) => (
              <TableCell key={index} className={column.className}>
                {column.cell(row)}
              </TableCell>
            ))}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
