import { Form, Input, Modal } from "antd";
import { useTranslation } from "react-i18next";
import "./tools-messages";

type Props = {
  title: string;
  initialName: string;
  saving: boolean;
  /** A refusal of the name itself (taken), shown under the field. */
  nameError: string | null;
  onSave: (name: string) => void;
  onCancel: () => void;
};

/** Names a saved filter: a new one, or a rename. (Its own chunk: forms are not needed to show the queue.) */
export default function FilterNameDialog({ title, initialName, saving, nameError, onSave, onCancel }: Props) {
  const { t } = useTranslation("tools");
  const [form] = Form.useForm<{ name: string }>();
  return (
    <Modal open title={title} okText={t("bulk.submit")} confirmLoading={saving} onOk={() => form.submit()} onCancel={onCancel} destroyOnHidden>
      <Form form={form} layout="vertical" initialValues={{ name: initialName }} onFinish={(values) => onSave(values.name.trim())}>
        <Form.Item
          name="name"
          label={t("saved.name")}
          rules={[{ required: true, whitespace: true, message: t("saved.nameRequired") }]}
          validateStatus={nameError ? "error" : undefined}
          help={nameError ?? undefined}
        >
          <Input maxLength={40} placeholder={t("saved.namePlaceholder")} autoFocus />
        </Form.Item>
      </Form>
    </Modal>
  );
}
