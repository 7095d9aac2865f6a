import type { Messages } from "./languages";

// Words used across the app: its name, sign-in, the header, the grid map.
const zhCN = {
  "app.title": "网格化社会治理与公共服务平台",
  "app.shortName": "gridgov",
  "lang.label": "界面语言",
  "lang.zh": "中文",
  "lang.en": "English",

  "login.heading": "登录",
  "login.subtitle": "请使用您的账号登录",
  "login.username": "用户名",
  "login.password": "密码",
  "login.usernameRequired": "请输入用户名",
  "login.passwordRequired": "请输入密码",
  "login.submit": "登录",
  "login.error.invalid_credentials": "用户名或密码错误",
  "login.error.login_throttled": "此处登录失败次数过多，请于 {time} 之后再试",
  "login.error.validation_failed": "请输入有效的用户名和密码",
  "login.error.network_error": "无法连接服务器，请检查网络后重试",
  "login.error.unknown": "登录失败：{message}",

  "session.checking": "正在验证登录状态…",
  "page.opening": "正在打开页面…",
  "session.error": "无法获取登录状态",
  "session.errorNetwork": "无法连接服务器，请检查网络后重试。",
  "session.errorServer": "服务器暂时无法读取登录状态，请稍后重试；如果问题持续，请联系系统管理员。（{message}）",
  "common.retry": "重试",

  "notFound.title": "页面不存在",
  "notFound.hint": "链接可能有误，或您无权查看该内容。",
  "notFound.home": "返回首页",

  "routeError.title": "页面加载失败",
  "routeError.hint": "可能是网络中断或系统刚刚升级。请刷新页面重试；如果问题持续，请联系系统管理员。",
  "routeError.reload": "刷新页面",

  "header.user": "当前用户",
  "header.scope": "管辖范围",
  "header.noScope": "未分配管辖范围",
  "header.signOut": "退出登录",

  "map.label": "网格地图",
  "map.loading": "正在加载地图数据…",
  "map.loadError": "地图数据加载失败",
  "map.noScope": "您的账号尚未分配管辖范围，无法显示网格地图。",
  "map.legend": "图例",
  "map.legendStreets": "街道",
  "map.gridCount": "{streets} 个街道 · {communities} 个社区 · {grids} 个网格",
  "map.divisionNotFound": "管辖范围内没有该区划",

  "grid.drawerTitle": "网格详情",
  "grid.code": "网格编码",
  "grid.name": "网格名称",
  "grid.community": "所属社区",
  "grid.street": "所属街道",
  "grid.staff": "网格工作人员",
  "grid.staffEmpty": "暂无工作人员",
  "grid.phone": "联系电话",
  "grid.noPhone": "未登记",
  "grid.loadError": "网格信息加载失败",
  "grid.notFound": "未找到该网格",

  "duty.inspector": "区级监督员",
  "duty.street_cadre": "街道干部",
  "duty.grid_worker": "网格员",
  "duty.volunteer": "志愿者",
  "duty.building_head": "楼栋长",

  "level.district": "区",
  "level.street": "街道",
  "level.community": "社区",
};


const en: Record<keyof typeof zhCN, string> = {
  "app.title": "Grid-based Social Governance and Public Service Platform",
  "app.shortName": "gridgov",
  "lang.label": "Language",
  "lang.zh": "中文",
  "lang.en": "English",

  "login.heading": "Sign in",
  "login.subtitle": "Sign in with your account",
  "login.username": "Username",
  "login.password": "Password",
  "login.usernameRequired": "Please enter your username",
  "login.passwordRequired": "Please enter your password",
  "login.submit": "Sign in",
  "login.error.invalid_credentials": "Incorrect username or password",
  "login.error.login_throttled": "Too many failed sign-ins from here. Try again after {time}",
  "login.error.validation_failed": "Please enter a valid username and password",
  "login.error.network_error": "Cannot reach the server. Check your connection and try again",
  "login.error.unknown": "Sign-in failed: {message}",

  "session.checking": "Checking your session…",
  "page.opening": "Opening the page…",
  "session.error": "Could not check your session",
  "session.errorNetwork": "Cannot reach the server. Check your connection and try again.",
  "session.errorServer": "The server cannot read your session just now. Try again shortly; if it persists, tell your system administrator. ({message})",
  "common.retry": "Retry",

  "notFound.title": "Page not found",
  "notFound.hint": "The link may be wrong, or you may not have access to it.",
  "notFound.home": "Back to the start page",

  "routeError.title": "The page could not be loaded",
  "routeError.hint": "The network may have dropped, or the system was just upgraded. Reload the page; if it keeps happening, tell your system administrator.",
  "routeError.reload": "Reload",

  "header.user": "Signed in as",
  "header.scope": "Jurisdiction",
  "header.noScope": "No jurisdiction assigned",
  "header.signOut": "Sign out",

  "map.label": "Grid map",
  "map.loading": "Loading map data…",
  "map.loadError": "Failed to load map data",
  "map.noScope": "Your account has no jurisdiction assigned, so there is no grid map to show.",
  "map.legend": "Legend",
  "map.legendStreets": "Streets",
  "map.gridCount": "{streets} streets · {communities} communities · {grids} grids",
  "map.divisionNotFound": "This division is outside your jurisdiction",

  "grid.drawerTitle": "Grid details",
  "grid.code": "Grid code",
  "grid.name": "Grid name",
  "grid.community": "Community",
  "grid.street": "Street",
  "grid.staff": "Grid staff",
  "grid.staffEmpty": "No staff assigned",
  "grid.phone": "Phone",
  "grid.noPhone": "Not on file",
  "grid.loadError": "Failed to load the grid",
  "grid.notFound": "Grid not found",

  "duty.inspector": "District inspector",
  "duty.street_cadre": "Street cadre",
  "duty.grid_worker": "Grid worker",
  "duty.volunteer": "Volunteer",
  "duty.building_head": "Building head",

  "level.district": "District",
  "level.street": "Street",
  "level.community": "Community",
};

export default { "zh-CN": zhCN, en } satisfies Messages<typeof zhCN>;
