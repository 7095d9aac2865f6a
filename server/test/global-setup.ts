import { createTemplates, dropTemplates } from "./databases.ts";

export async function setup(): Promise<void> {
  await createTemplates();
}

export async function teardown(): Promise<void> {
  await dropTemplates();
}
