import type { Page } from "playwright-core";
import { DEMO_PASSWORD } from "./server.ts";

/** Opens `url` (a console page), signs in on the form it shows, and waits for the signed-in shell. */
export async function signInAt(page: Page, url: string, username: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto(url);
  await page.getByLabel("用户名", { exact: true }).fill(username);
  await page.getByLabel("密码", { exact: true }).fill(password);
  await page.getByRole("button", { name: "登录", exact: true }).click();
  await page.getByRole("button", { name: "退出登录" }).waitFor();
}
