import { Spin } from "antd";

export function FullPageSpin({ tip }: { tip: string }) {
  return (
    <div className="full-page-center" role="status" aria-live="polite">
      <Spin size="large" />
      <span className="full-page-center__tip">{tip}</span>
    </div>
  );
}
