import { UploadOutlined } from "@ant-design/icons";
import { Typography } from "antd";

/**
 * Chooses an .xlsx or .csv file: a button-looking label over a hidden file input (so that the
 * keyboard and screen readers reach the real input), then the chosen file's name.
 */
export function TableFileInput({ id, label, choose, file, onChoose }: { id: string; label: string; choose: string; file: File | null; onChoose: (file: File | null) => void }) {
  return (
    <>
      <label className="ant-btn ant-btn-default" htmlFor={id}>
        <UploadOutlined aria-hidden="true" /> {choose}
      </label>
      <input
        id={id}
        type="file"
        accept=".xlsx,.csv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        aria-label={label}
        className="exchange-file-input"
        onChange={(event) => {
          onChoose(event.target.files?.[0] ?? null);
          // The same file chosen again (after fixing it in Excel) is a new choice.
          event.target.value = "";
        }}
      />
      {file && <Typography.Text code>{file.name}</Typography.Text>}
    </>
  );
}
