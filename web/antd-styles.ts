import crypto from "node:crypto";
import { createElement as h, type ReactNode } from "react";
import { renderToString } from "react-dom/server";
import { createCache, extractStyle, StyleProvider } from "@ant-design/cssinjs";
import * as antd from "antd";
import type { Plugin } from "vite";
import { ANTD_CONFIG } from "./src/theme.ts";

/**
 * One of each Ant Design component the console uses, with the parts whose styles are registered
 * apart (Input's text area and search, Radio's buttons, Layout's sider, Typography's kinds). A
 * component left out is styled at run time, as before.
 */
function consoleComponents(): ReactNode[] {
  // Components whose parts are rendered too.
  const { Input, Layout, Radio, Typography, Form } = antd;
  const item = { key: "a", label: "a" };
  return [
    h(antd.App, { key: "app", component: false }),
    h(Layout, { key: "layout" }, h(Layout.Header), h(Layout.Sider), h(Layout.Content)),
    h(antd.Menu, { key: "menu", items: [item] }),
    h(antd.Breadcrumb, { key: "breadcrumb", items: [{ title: "a" }] }),
    h(antd.Button, { key: "button" }, "a"),
    h(antd.Space, { key: "space" }, h(antd.Space.Compact, null, h(antd.Button, null, "a"))),
    h(antd.Badge, { key: "badge", count: 1 }),
    h(antd.Tag, { key: "tag" }, "a"),
    // Colour presets and status colours are styles of their own.
    h(antd.Tag, { key: "tag-preset", color: "blue" }, "a"),
    h(antd.Tag, { key: "tag-status", color: "success" }, "a"),
    h(antd.Spin, { key: "spin" }),
    h(antd.Alert, { key: "alert", title: "a", showIcon: true }),
    h(antd.Empty, { key: "empty" }),
    h(antd.Result, { key: "result", title: "a" }),
    h(antd.Skeleton, { key: "skeleton" }),
    h(Typography, { key: "typography" }, h(Typography.Title, null, "a"), h(Typography.Paragraph, null, "a"), h(Typography.Text, null, "a"), h(Typography.Link, null, "a")),
    h(Input, { key: "input" }),
    h(Input.TextArea, { key: "textarea" }),
    h(Input.Search, { key: "search" }),
    h(Input.Password, { key: "password" }),
    h(antd.InputNumber, { key: "number" }),
    h(antd.AutoComplete, { key: "autocomplete" }),
    h(antd.Select, { key: "select", options: [{ value: "a" }] }),
    h(antd.DatePicker, { key: "date" }),
    h(antd.Checkbox, { key: "checkbox" }),
    h(antd.Switch, { key: "switch" }),
    h(Radio, { key: "radio" }),
    h(Radio.Group, { key: "radios", optionType: "button", options: ["a"] }),
    h(antd.Segmented, { key: "segmented", options: ["a"] }),
    h(Form, { key: "form" }, h(Form.Item, { label: "a" }, h(Input))),
    h(antd.Row, { key: "row" }, h(antd.Col, { span: 1 })),
    h(antd.Card, { key: "card", title: "a" }),
    h(antd.Descriptions, { key: "descriptions", items: [{ key: "a", label: "a", children: "a" }] }),
    h(antd.Table, { key: "table", columns: [{ title: "a", dataIndex: "a" }], dataSource: [] }),
    h(antd.Pagination, { key: "pagination", total: 20 }),
    h(antd.List, { key: "list", dataSource: [] }),
    h(antd.Tabs, { key: "tabs", items: [{ ...item, children: "a" }] }),
    h(antd.Timeline, { key: "timeline", items: [{ content: "a" }] }),
    h(antd.Image, { key: "image", src: "a.png" }),
    h(antd.Upload, { key: "upload" }, "a"),
    h(antd.Tooltip, { key: "tooltip", title: "a" }, h("span", null, "a")),
    h(antd.Popover, { key: "popover", content: "a" }, h("span", null, "a")),
    h(antd.Popconfirm, { key: "popconfirm", title: "a" }, h("span", null, "a")),
    h(antd.Dropdown, { key: "dropdown", menu: { items: [item] } }, h("span", null, "a")),
    // Overlays register their styles as they render, which on a server they do without opening.
    h(antd.Modal, { key: "modal", getContainer: false }),
    h(antd.Drawer, { key: "drawer", getContainer: false }),
  ];
}

/** Ant Design's runtime marks a build made outside production in its class names. */
const PRODUCTION_HASH = /^css-[a-z0-9]+\|/;

/**
 * The styles of the console's Ant Design components as a stylesheet, rendered once in the build
 * with the console's configuration, with the map of their style paths that Ant Design's runtime
 * reads (`.data-ant-cssinjs-cache-path`): a component whose path is in the map takes its styles
 * from the sheet instead of generating and injecting them on every page load (about 300 KB of CSS
 * text and 140 ms of a two-core machine's main thread on the console's map, each load).
 */
export function antdStyles(): string {
  const cache = createCache();
  renderToString(
    h(StyleProvider, { cache }, h(antd.ConfigProvider, { button: ANTD_CONFIG.button, theme: ANTD_CONFIG.theme }, consoleComponents())),
  );
  const css = extractStyle(cache, { plain: true, types: ["style"] });
  const paths = /\.data-ant-cssinjs-cache-path\{content:"([^"]*)"/.exec(css)?.[1].split(";") ?? [];
  // A production runtime would find none of a development build's paths.
  const withHash = paths.filter((path) => path.startsWith("css-"));
  if (withHash.length === 0 || !withHash.every((path) => PRODUCTION_HASH.test(path))) {
    throw new Error("Ant Design's styles were rendered outside production (NODE_ENV): their paths would match nothing at run time");
  }
  return css;
}

/**
 * Builds the console's page with `antdStyles()` linked ahead of the app's own stylesheets (which
 * override Ant Design's, as they did the injected styles before). The development server keeps
 * generating the styles at run time.
 */
export function antdStylesheet(): Plugin {
  let fileName = "";
  let css = "";
  let base = "/";
  return {
    name: "gridgov-antd-stylesheet",
    apply: "build",
    configResolved(config) {
      base = config.base;
    },
    buildStart() {
      css = antdStyles();
      fileName = `assets/antd-${crypto.createHash("sha256").update(css).digest("base64url").slice(0, 8)}.css`;
    },
    transformIndexHtml(_html, context) {
      // The console's page only: the residents', field and big-screen apps do not use these components.
      if (!context.filename.endsWith("/index.html")) return undefined;
      return [{ tag: "link", attrs: { rel: "stylesheet", href: `${base}${fileName}` }, injectTo: "head-prepend" }];
    },
    generateBundle() {
      this.emitFile({ type: "asset", fileName, source: css });
    },
  };
}
