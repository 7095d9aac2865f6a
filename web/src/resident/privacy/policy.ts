import type { Language } from "../../i18n";

/** The portal's personal data policy (个人信息保护说明), as the Personal Information Protection Law asks it to be told. */
export type PolicySection = { heading: string; paragraphs: string[] };

export const POLICY: Record<Language, PolicySection[]> = {
  "zh-CN": [
    {
      heading: "我们收集什么",
      paragraphs: [
        "上报问题时：问题的位置（您点按“使用我现在的位置”时读取的定位，或您在地图上点选的位置）、照片、问题描述和您选择的问题类型；您自愿留下的联系电话。",
        "照片在上传前会在您的手机上缩小，服务器保存时会去除照片中的拍摄时间、设备和位置等附加信息（EXIF）。",
        "我们不要求登录，不收集您的姓名、身份证号或通讯录，不在后台读取您的位置。",
        "为防止滥用，服务器会按来源网络地址统计一段时间内的请求次数，这些计数只短暂保存，不与上报内容关联。",
      ],
    },
    {
      heading: "为什么收集",
      paragraphs: [
        "位置用于确定问题所在的网格、社区和街道，并派给负责的部门；照片和描述用于了解和处理问题，并在处理后核查；电话只用于处理人员在需要时联系您核实情况或回访。",
        "以上信息只用于受理、派遣、处理、核查和评价这个问题，以及按规定进行的统计（统计中不含个人信息），不用于其他目的，不出售、不提供给无关的第三方。",
      ],
    },
    {
      heading: "谁能看到",
      paragraphs: [
        "负责受理、派遣、处理和核查这个问题的工作人员，按各自的职责范围查看。您的电话对他们显示为隐藏部分数字（如 138****5678），需要回访时才可查看完整号码，每次查看都记入不可篡改的审计日志。",
        "其他居民看不到您的上报。凭案件编号和查询码，只能看到办理进度、公开的处理说明和照片；公开的照片会对人脸、车牌等做模糊处理，页面不显示工作人员的姓名和电话。",
      ],
    },
    {
      heading: "保存多久",
      paragraphs: [
        "上报内容随案件档案保存，保存期限按本地政务服务档案管理规定执行，期满后删除或匿名化。上传后未用于上报的照片会在规定时间内自动删除。",
        "“我的上报”只保存在您这台手机的浏览器里（编号、查询码、标题和日期），您可以随时在“我的上报”中删除，或清除浏览器数据。",
      ],
    },
    {
      heading: "您的权利",
      paragraphs: [
        "您可以不留电话、不提供定位（在地图上选点即可）。您可以查询、更正您提供的信息，或要求删除法律法规允许删除的信息：请拨打 12345 政务服务便民热线，提供案件编号和查询码。",
      ],
    },
  ],
  en: [
    {
      heading: "What we collect",
      paragraphs: [
        "When you report a problem: its place (your position, read when you tap “Use where I am now”, or the point you tap on the map), the photos, the description and the kind of problem you chose; a phone number if you choose to give one.",
        "Photos are made smaller on your phone before they are sent; the server keeps them without the time, device and position data (EXIF) cameras add.",
        "You need no account. We do not collect your name, identity number or contacts, and never read your position in the background.",
        "To prevent abuse the server counts requests per network address for a short while; those counts are not linked to what you report.",
      ],
    },
    {
      heading: "Why",
      paragraphs: [
        "The place decides the grid, community and street of the problem and the department that handles it; photos and the description tell staff what to fix and let them check it afterwards; your phone number is only for staff to call you to clarify or to ask how it went.",
        "All this is used only to take in, dispatch, handle, check and rate this problem, and for statistics that hold no personal data. It is never sold or given to unrelated parties.",
      ],
    },
    {
      heading: "Who sees it",
      paragraphs: [
        "The staff who take in, dispatch, handle and check the problem, within their duties. They see your phone number with digits hidden (138****5678); the whole number only for a call back, and every such look is recorded in a tamper-evident audit log.",
        "Other residents never see your report. The case number and tracking code show only the progress, the notes meant for you and the photos; faces and number plates in public photos are blurred, and staff names and phones are never shown.",
      ],
    },
    {
      heading: "How long",
      paragraphs: [
        "Your report is kept with the case's file for the period the local rules on public service records set, then deleted or anonymised. Photos uploaded but never used in a report are deleted automatically.",
        "“My reports” lives only in this phone's browser (number, tracking code, title and date); remove entries there at any time, or clear the browser's data.",
      ],
    },
    {
      heading: "Your rights",
      paragraphs: [
        "You may give no phone number and no position (pick the place on the map instead). To see or correct what you gave, or to ask for it to be deleted where the law allows, call the 12345 public service hotline with the case number and tracking code.",
      ],
    },
  ],
};
