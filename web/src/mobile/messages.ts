import type { Messages } from "../i18n/languages";

// Words of the phone apps' shared pieces.
const zh = {
  "insecure.title": "当前连接不安全（HTTP）",
  "insecure.body": "拍照、定位和离线使用需要通过 HTTPS 打开本页面。请使用管理员提供的 https:// 地址；现在仍可从相册选择照片、在地图上选点。",
  "photos.add": "拍照或从相册选择",
  "photos.remove": "删除第 {index} 张照片",
  "photos.preparing": "正在处理照片…",
  "photos.count": "已选 {count} 张，最多 {max} 张",
  "photos.alt": "第 {index} 张照片",
  "copy": "复制",
  "copied": "已复制",
};

const en: Record<keyof typeof zh, string> = {
  "insecure.title": "This connection is not secure (HTTP)",
  "insecure.body": "The camera, your location and offline use need this page opened over HTTPS. Use the https:// address your administrator gives; you can still choose photos from the gallery and pick the place on the map.",
  "photos.add": "Take or choose photos",
  "photos.remove": "Remove photo {index}",
  "photos.preparing": "Preparing the photos…",
  "photos.count": "{count} chosen, at most {max}",
  "photos.alt": "Photo {index}",
  "copy": "Copy",
  "copied": "Copied",
};

const messages: Messages<typeof zh> = { "zh-CN": zh, en };
export default messages;
