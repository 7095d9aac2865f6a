import type { ReactNode } from "react";
import { Spin } from "antd";

export type Column<Row> = {
  key: string;
  title: ReactNode;
  /** Fixed width in pixels; a column without one takes the rest. */
  width?: number;
  render: (row: Row) => ReactNode;
};

type Props<Row> = {
  columns: Column<Row>[];
  rows: Row[];
  rowKey: (row: Row) => string;
  loading: boolean;
  empty: ReactNode;
  label: string;
  onOpen: (row: Row) => void;
};

/**
 * A plain, fixed-layout table of cases with a sticky header, in Ant Design's look. A row opens on
 * a click; its title link is the way there by keyboard. (Ant Design's Table brings sorting, filter
 * trees, pagination and virtual scrolling into the first load, none of which a keyset queue uses.)
 */
export function CaseTable<Row>({ columns, rows, rowKey, loading, empty, label, onOpen }: Props<Row>) {
  return (
    <div className="case-table" aria-busy={loading}>
      <table className="case-table__table" aria-label={label}>
        <colgroup>
          {columns.map((column) => (
            <col key={column.key} style={column.width ? { width: column.width } : undefined} />
          ))}
        </colgroup>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column.key} scope="col">
                {column.title}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr
              key={rowKey(row)}
              className="case-table__row"
              onClick={(event) => {
                // A click on a link, a button, a checkbox or selected text is the user's, not an open.
                if ((event.target as HTMLElement).closest("a, button, input, label") || window.getSelection()?.toString()) return;
                onOpen(row);
              }}
            >
              {columns.map((column) => (
                <td key={column.key}>{column.render(row)}</td>
              ))}
            </tr>
          ))}
          {rows.length === 0 && !loading ? (
            <tr>
              <td colSpan={columns.length} className="case-table__empty">
                {empty}
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
      {loading ? (
        <div className="case-table__loading">
          <Spin />
        </div>
      ) : null}
    </div>
  );
}
