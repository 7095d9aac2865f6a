/**
 * What the console's page says when the app's own code cannot be loaded (the network dropped, the
 * server went away): the entry has no React, no messages and no style sheet of its own, so the
 * notice is plain elements styled in place, in both languages, with a button that loads the page again.
 */
export function showEntryFailure(): void {
  const root = document.getElementById("root");
  if (!root) return;
  const box = document.createElement("div");
  box.setAttribute("role", "alert");
  box.className = "entry-failure";
  Object.assign(box.style, { maxWidth: "480px", margin: "120px auto", padding: "0 24px", textAlign: "center", fontSize: "15px", lineHeight: "1.7", color: "rgba(0, 0, 0, 0.78)" });
  for (const text of ["页面未能加载，请检查网络后重新加载。", "The page could not be loaded. Check the network and reload."]) {
    const line = document.createElement("p");
    line.textContent = text;
    line.style.margin = "0 0 4px";
    box.append(line);
  }
  const reload = document.createElement("button");
  reload.type = "button";
  reload.textContent = "重新加载 · Reload";
  Object.assign(reload.style, { marginTop: "16px", padding: "6px 16px", minHeight: "36px", fontSize: "15px", fontFamily: "inherit", border: "1px solid #1f5fbf", borderRadius: "6px", background: "#1f5fbf", color: "#fff", cursor: "pointer" });
  reload.addEventListener("click", () => window.location.reload());
  box.append(reload);
  root.replaceChildren(box);
}
