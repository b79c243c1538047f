/** The shared list table: a header per column, a cell per column and row, row data attributes, the empty sentence. */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { ListTable, type ListColumn } from './list-table';

interface Row {
  id: number;
  name: string;
}

const columns: ListColumn<Row>[] = [
  { header: 'Id', cell: (row) => row.id },
  { header: 'Name', className: 'font-medium', cell: (row) => row.name.toUpperCase() },
];

describe('ListTable', () => {
  it('draws one header per column and one cell per column and row', () => {
    const html = renderToStaticMarkup(
      createElement(ListTable<Row>, { rows: [{ id: 1, name: 'a' }, { id: 2, name: 'b' }], columns, rowKey: (row) => row.id, rowData: (row) => ({ 'data-name': row.name }), testId: 'list' }),
    );
    expect(html.match(/<th /g)).toHaveLength(2);
    expect(html.match(/<td /g)).toHaveLength(4);
    expect(html).toContain('data-testid="list"');
    expect(html).toContain('data-name="b"');
    expect(html).toContain('<td class="px-3 py-2.5 align-middle font-medium">B</td>');
  });

  it('says the empty sentence instead of an empty table', () => {
    const html = renderToStaticMarkup(createElement(ListTable<Row>, { rows: [], columns, rowKey: (row) => row.id, empty: 'Nothing yet.' }));
    expect(html).toBe('<p class="text-sm text-foreground-muted">Nothing yet.</p>');
  });
});
