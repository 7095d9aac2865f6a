import { createDemoTemplate, removeDemoTemplate } from "./server.ts";

export async function setup(): Promise<void> {
  await createDemoTemplate();
}

export function teardown(): void {
  removeDemoTemplate();
}
