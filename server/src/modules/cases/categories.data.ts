/**
 * The case category catalogue: the component (部件) and event (事件) classes of
 * GB/T 30428.2 (数字化城市管理信息系统 第2部分：管理部件和事件), the social-governance
 * case types handled by grid workers, and the 12345 hotline appeal types.
 *
 * Codes are stable ASCII paths (`class.main` and `class.main.sub`): other tables
 * refer to them, so a code is never renamed, only retired.
 */

/** One category row as it is seeded into the database. */
export type CategorySeed = {
  code: string;
  name: string;
  class: "component" | "event" | "governance" | "appeal";
  parentCode: string | null;
  departmentCode: string | null;
  closureLevel: "community" | "street" | "district";
  deadlinePolicy: "dukao130" | "standard" | "urgent" | "emergency" | "consultation";
  photoRequired: boolean;
  /** A case of it is an emergency (突发事件): registering it raises the urgency. */
  emergency: boolean;
  keywords: string[];
};

type Closure = CategorySeed["closureLevel"];
type Policy = CategorySeed["deadlinePolicy"];
type Overrides = Partial<Pick<CategorySeed, "deadlinePolicy" | "photoRequired" | "emergency">>;

/**
 * A main class. Its closure level, policy and photo rule are the fallbacks used
 * when a report is filed under the main class only; it has no department and no
 * keywords, so suggestions always point at a subcategory.
 */
function main(
  cls: CategorySeed["class"],
  code: string,
  name: string,
  closureLevel: Closure,
  deadlinePolicy: Policy,
  photoRequired: boolean,
  emergency = false,
): CategorySeed {
  return { code, name, class: cls, parentCode: null, departmentCode: null, closureLevel, deadlinePolicy, photoRequired, emergency, keywords: [] };
}

/** A subcategory: policy and photo rule come from the main class unless overridden. */
function sub(
  parent: CategorySeed,
  key: string,
  name: string,
  departmentCode: string | null,
  closureLevel: Closure,
  keywords: string[],
  overrides: Overrides = {},
): CategorySeed {
  return {
    code: `${parent.code}.${key}`,
    name,
    class: parent.class,
    parentCode: parent.code,
    departmentCode,
    closureLevel,
    deadlinePolicy: overrides.deadlinePolicy ?? parent.deadlinePolicy,
    photoRequired: overrides.photoRequired ?? parent.photoRequired,
    emergency: overrides.emergency ?? parent.emergency,
    keywords,
  };
}

/** A main class followed by its subcategories. */
function group(parent: CategorySeed, children: (parent: CategorySeed) => CategorySeed[]): CategorySeed[] {
  return [parent, ...children(parent)];
}

// ---------------------------------------------------------------------------
// Components (部件): physical facilities in public space.
// ---------------------------------------------------------------------------

const COMPONENTS: CategorySeed[] = [
  ...group(main("component", "component.public_facility", "公用设施", "district", "dukao130", true), (p) => [
    sub(p, "manhole_cover_water", "上水井盖", "swj", "district", ["上水井盖", "自来水井盖", "给水井盖", "水表井盖", "水表井"]),
    sub(p, "manhole_cover_sewage", "污水井盖", "swj", "district", ["污水井盖", "井盖", "窨井", "窨井盖", "下水道盖", "下水井盖"]),
    sub(p, "manhole_cover_rain", "雨水井盖", "swj", "district", ["雨水井盖", "雨水井", "排水井盖", "雨污井盖"]),
    sub(p, "storm_grate", "雨水箅子", "swj", "street", ["雨水箅子", "雨水篦子", "水篦子", "沟盖板", "排水沟盖板", "下水口"]),
    sub(p, "manhole_cover_power", "电力井盖", "gdj", "district", ["电力井盖", "电缆井盖", "供电井盖", "电井盖"]),
    sub(p, "manhole_cover_gas", "燃气井盖", "zjj", "district", ["燃气井盖", "煤气井盖", "天然气井盖"]),
    sub(p, "fire_hydrant", "消防栓", "yjj", "district", ["消防栓", "消火栓", "消防龙头", "消防水龙头", "消防栓漏水"]),
    sub(p, "street_light", "路灯", "cgj", "street", ["路灯", "路灯不亮", "路灯坏了", "路灯杆", "灯杆倾斜", "路太黑"]),
  ]),
  ...group(main("component", "component.road_traffic", "道路交通", "street", "dukao130", true), (p) => [
    sub(p, "traffic_signal", "交通信号灯", "gaj", "district", ["交通信号灯", "红绿灯", "信号灯", "红绿灯不亮", "红绿灯坏了"]),
    sub(p, "traffic_sign", "交通标志牌", "jtysj", "street", ["交通标志", "标志牌", "指示牌", "限速牌", "禁停牌"]),
    sub(p, "guardrail", "道路护栏", "jtysj", "street", ["道路护栏", "护栏", "隔离栏", "隔离护栏", "栏杆倒了"]),
    sub(p, "bus_shelter", "公交站亭", "jtysj", "street", ["公交站亭", "公交站台", "公交车站", "候车亭", "公交站牌"]),
    sub(p, "parking_meter", "停车咪表", "cgj", "street", ["停车咪表", "咪表", "停车收费桩", "停车计费器"]),
    sub(p, "footbridge", "过街天桥", "zjj", "district", ["过街天桥", "人行天桥", "天桥"]),
    sub(p, "underpass", "地下通道", "zjj", "district", ["地下通道", "人行地道", "过街通道"]),
  ]),
  ...group(main("component", "component.city_appearance", "市容环境", "street", "dukao130", true), (p) => [
    sub(p, "public_toilet", "公共厕所", "cgj", "street", ["公共厕所", "公厕", "厕所", "卫生间", "公厕太臭", "厕所堵了"]),
    sub(p, "garbage_bin", "垃圾箱", "cgj", "community", ["垃圾箱", "垃圾桶", "垃圾桶满了", "垃圾桶坏了", "分类垃圾桶"]),
    sub(p, "litter_bin", "果皮箱", "cgj", "community", ["果皮箱", "果皮桶", "废物箱", "街边小垃圾桶"]),
    sub(p, "garbage_station", "垃圾房", "cgj", "street", ["垃圾房", "垃圾站", "垃圾收集站", "垃圾中转站", "垃圾房很臭"]),
    sub(p, "light_box", "灯箱霓虹灯", "cgj", "street", ["灯箱", "霓虹灯", "广告灯箱", "灯箱坏了"]),
    sub(p, "signboard", "广告牌匾", "cgj", "street", ["牌匾破损", "招牌松动", "招牌要掉下来", "广告牌破损", "广告牌歪了"]),
    sub(p, "newsstand", "报刊亭", "cgj", "street", ["报刊亭", "报亭", "书报亭"]),
    sub(p, "septic_tank", "化粪池", "cgj", "street", ["化粪池", "化粪池满了", "化粪池外溢", "粪水"]),
  ]),
  ...group(main("component", "component.greening", "园林绿化", "street", "dukao130", true), (p) => [
    sub(p, "street_tree", "行道树", "ylj", "street", ["行道树", "路边的树", "树枝", "树枝太长", "枯树", "修剪树枝"]),
    sub(p, "green_space", "绿地", "ylj", "street", ["绿地", "草坪", "草地", "绿化带", "踩踏草坪"]),
    sub(p, "flower_bed", "花坛", "ylj", "community", ["花坛", "花池", "花箱", "花坛破损"]),
    sub(p, "tree_guard", "护树设施", "ylj", "community", ["树池", "树池盖板", "护树板", "护树架"]),
    sub(p, "ancient_tree", "古树名木", "ylj", "district", ["古树", "古树名木", "老树", "百年大树"]),
    sub(p, "sculpture", "城市雕塑", "ylj", "district", ["雕塑", "城市雕塑", "景观雕塑", "雕像"]),
    sub(p, "bench", "街头坐椅", "ylj", "community", ["坐椅", "座椅", "长椅", "休息椅", "公园椅子"]),
  ]),
  ...group(main("component", "component.housing_land", "房屋土地", "district", "dukao130", true), (p) => [
    sub(p, "dangerous_house", "危房", "zjj", "district", ["危房", "房子裂缝", "墙体开裂", "房屋倾斜", "墙要倒", "房子要塌"], { deadlinePolicy: "urgent" }),
    sub(p, "notice_board", "宣传栏", "cgj", "community", ["宣传栏", "公告栏", "公示栏", "宣传橱窗"]),
    sub(p, "civil_air_defense", "人防工事", "zjj", "district", ["人防工事", "人防工程", "人防设施", "防空洞"]),
    sub(p, "vacant_lot", "闲置空地", "zjj", "street", ["闲置空地", "空地", "闲置地", "荒地"]),
    sub(p, "facade", "房屋外立面", "zjj", "street", ["外立面", "外墙脱落", "墙皮脱落", "瓷砖掉落", "外墙砖"]),
  ]),
  ...group(main("component", "component.other_facility", "其他设施", "street", "dukao130", true), (p) => [
    sub(p, "fitness_equipment", "健身器材", "jtj", "community", ["健身器材", "健身设施", "运动器材", "健身路径", "单杠"]),
    sub(p, "surveillance_camera", "监控电子眼", "gaj", "street", ["监控", "摄像头", "电子眼", "监控探头"]),
    sub(p, "place_name_sign", "地名标志", "mzj", "street", ["路名牌", "路牌", "门牌", "门牌号", "地名牌"]),
    sub(p, "charging_pile", "充电桩", "gdj", "street", ["充电桩", "充电柜", "充电站", "充电桩坏了"]),
    sub(p, "river_railing", "河道防护栏", "swj", "street", ["河道护栏", "河道防护栏", "河边栏杆", "河堤栏杆"]),
  ]),
];

// ---------------------------------------------------------------------------
// Events (事件): behaviour and incidents in public space.
// ---------------------------------------------------------------------------

const EVENTS: CategorySeed[] = [
  ...group(main("event", "event.city_appearance", "市容环境", "community", "dukao130", true), (p) => [
    sub(p, "exposed_garbage", "暴露垃圾", "cgj", "community", ["暴露垃圾", "垃圾", "乱倒垃圾", "乱扔垃圾", "垃圾成堆", "满地垃圾", "垃圾没人清"]),
    sub(p, "accumulated_waste", "积存垃圾渣土", "cgj", "street", ["积存垃圾", "渣土", "垃圾渣土", "建筑垃圾", "装修垃圾"]),
    sub(p, "dirty_road", "道路不洁", "cgj", "community", ["道路不洁", "路面脏", "马路很脏", "地面脏", "油污", "没人扫"]),
    sub(p, "dirty_water", "水域不洁", "swj", "street", ["水域不洁", "河道垃圾", "水面垃圾", "河面漂浮物", "河水发黑", "水很臭"]),
    sub(p, "messy_green", "绿地脏乱", "ylj", "community", ["绿地脏乱", "绿化带垃圾", "草坪垃圾", "绿化带里垃圾"]),
    sub(p, "road_spill", "道路遗撒", "cgj", "street", ["道路遗撒", "渣土车遗撒", "撒漏", "抛洒", "泥土洒了一路"]),
    sub(p, "street_drying", "沿街晾挂", "cgj", "community", ["沿街晾挂", "晾衣服", "晾晒", "乱挂衣服", "晒被子"]),
    sub(p, "burning", "焚烧垃圾树叶", "sthjj", "street", ["焚烧垃圾", "烧垃圾", "烧树叶", "焚烧", "露天焚烧", "冒黑烟"]),
  ]),
  ...group(main("event", "event.advertising", "宣传广告", "street", "dukao130", true), (p) => [
    sub(p, "illegal_flyer", "非法小广告", "cgj", "street", ["小广告", "牛皮癣", "乱贴广告", "办证广告", "喷涂广告", "电线杆上贴"]),
    sub(p, "illegal_signboard", "违章张贴悬挂广告牌匾", "cgj", "street", ["违规招牌", "违章广告牌", "乱挂招牌", "乱挂牌匾", "私挂广告牌"]),
    sub(p, "roadside_billboard", "占道广告牌", "cgj", "street", ["占道广告牌", "立式广告牌", "门口放广告牌", "人行道广告牌", "易拉宝"]),
    sub(p, "leaflet", "街头散发广告", "cgj", "street", ["发传单", "派发传单", "塞传单", "散发广告"]),
    sub(p, "banner", "横幅条幅乱挂", "cgj", "community", ["横幅", "拉横幅", "条幅", "彩旗"]),
  ]),
  ...group(main("event", "event.construction", "施工管理", "street", "dukao130", true), (p) => [
    sub(p, "construction_noise", "施工扰民", "sthjj", "street", ["施工扰民", "施工噪音", "夜间施工", "半夜施工", "装修噪音", "装修扰民", "装修", "电钻"], { photoRequired: false }),
    sub(p, "construction_waste", "施工废弃料", "cgj", "street", ["施工废弃料", "施工垃圾", "工地垃圾", "废弃建材", "砂石堆"]),
    sub(p, "road_damage", "道路破损", "jtysj", "district", ["道路破损", "路面破损", "坑洼", "路坑", "大坑", "路烂了", "人行道砖松动"]),
    sub(p, "unlicensed_excavation", "无证掘路", "cgj", "district", ["无证掘路", "私自挖路", "挖马路", "开挖道路", "路被挖开", "挖了不填"]),
    sub(p, "construction_occupation", "施工占道", "cgj", "street", ["施工占道", "围挡占道", "施工围挡", "工地围挡"]),
    sub(p, "site_dust", "工地扬尘", "sthjj", "street", ["工地扬尘", "扬尘", "灰尘大", "尘土飞扬", "没有洒水"]),
  ]),
  ...group(main("event", "event.emergency", "突发事件", "district", "emergency", true, true), (p) => [
    sub(p, "road_collapse", "路面塌陷", "jtysj", "district", ["路面塌陷", "塌陷", "地陷", "路塌了", "天坑", "地面下沉"]),
    sub(p, "water_main_burst", "自来水管破裂", "swj", "district", ["自来水管破裂", "水管破裂", "水管爆了", "爆管", "水管漏水", "自来水冒出来"]),
    sub(p, "gas_pipe_burst", "燃气管道破裂", "zjj", "district", ["燃气管道破裂", "燃气泄漏", "煤气泄漏", "天然气泄漏", "煤气味", "燃气味"]),
    sub(p, "sewer_blockage", "下水道堵塞或破损", "swj", "street", ["下水道堵塞", "下水道堵了", "管道堵塞", "污水外溢", "污水冒出来", "返水"]),
    sub(p, "waterlogging", "道路积水", "swj", "street", ["道路积水", "积水", "路面积水", "下雨积水", "内涝", "水淹"]),
    sub(p, "fire", "火灾", "yjj", "district", ["火灾", "着火", "起火", "失火", "冒烟", "烧起来了"]),
    sub(p, "manhole_cover_missing", "井盖丢失", "swj", "district", ["井盖丢失", "井盖不见了", "井盖没了", "井盖被偷", "井盖缺失", "盖子丢了", "井口没盖"]),
    sub(p, "fallen_tree", "树木倒伏", "ylj", "street", ["树木倒伏", "大树倒伏", "树倒了", "树枝断了", "断枝"]),
  ]),
  ...group(main("event", "event.street_order", "街面秩序", "street", "dukao130", true), (p) => [
    sub(p, "unlicensed_vendor", "无照经营游商", "cgj", "street", ["无照经营", "游商", "小商贩", "流动商贩", "推车叫卖", "沿街叫卖"]),
    sub(p, "road_occupation", "占道经营", "cgj", "street", ["占道经营", "摆摊", "摆地摊", "占道", "流动摊贩", "路边摊", "马路市场", "占用人行道"]),
    sub(p, "out_of_store", "店外经营", "cgj", "street", ["店外经营", "出店经营", "超出门店", "门口摆货", "门前摆放", "货摆到人行道"]),
    sub(p, "stacked_materials", "乱堆物料", "cgj", "community", ["乱堆物料", "乱堆乱放", "乱堆", "堆放杂物", "杂物", "堆满东西"]),
    sub(p, "illegal_parking", "机动车乱停放", "gaj", "street", ["机动车乱停", "乱停车", "违停", "违章停车", "车停在人行道", "堵住出口"]),
    sub(p, "bike_parking", "非机动车乱停放", "cgj", "community", ["非机动车乱停", "电动车乱停", "电瓶车乱停", "自行车乱停", "共享单车", "单车乱放"]),
    sub(p, "outdoor_bbq", "露天烧烤", "cgj", "street", ["露天烧烤", "烧烤摊", "路边烧烤", "烧烤油烟", "夜市烧烤"]),
    sub(p, "illegal_construction", "违法建设", "cgj", "district", ["违法建设", "违建", "违章建筑", "私搭乱建", "乱搭乱建", "楼顶加层", "搭棚子"]),
  ]),
  ...group(main("event", "event.other", "其他事件", "street", "dukao130", true), (p) => [
    // Noise and smells leave nothing to photograph.
    sub(p, "noise", "噪声扰民", "sthjj", "street", ["噪声扰民", "噪音扰民", "噪音", "噪声", "广场舞", "音响太大", "吵得睡不着"], { photoRequired: false }),
    sub(p, "cooking_fumes", "油烟扰民", "sthjj", "street", ["油烟扰民", "油烟", "餐馆油烟", "油烟味", "排烟"], { photoRequired: false }),
    sub(p, "dog_nuisance", "犬只扰民", "gaj", "community", ["遛狗不牵绳", "狗叫", "狗屎", "流浪狗", "养狗扰民", "犬只伤人"], { photoRequired: false }),
    sub(p, "abandoned_vehicle", "废弃车辆", "gaj", "street", ["废弃车辆", "废弃车", "僵尸车", "报废车", "长期停放"]),
    sub(p, "animal_carcass", "动物尸体", "cgj", "community", ["动物尸体", "死猫", "死狗", "死老鼠", "死鸟"]),
  ]),
];

// ---------------------------------------------------------------------------
// Social governance (社会治理): reported by grid workers during their rounds.
// ---------------------------------------------------------------------------

const GOVERNANCE: CategorySeed[] = [
  ...group(main("governance", "governance.dispute", "矛盾纠纷", "community", "dukao130", false), (p) => [
    sub(p, "neighbour", "邻里纠纷", "sfj", "community", ["邻里纠纷", "邻里矛盾", "邻居", "对门", "楼上漏水", "吵架", "扯皮"]),
    sub(p, "family", "婚姻家庭纠纷", "sfj", "community", ["家庭纠纷", "婚姻纠纷", "夫妻吵架", "离婚", "家暴", "赡养"]),
    sub(p, "property_management", "物业纠纷", "zjj", "street", ["物业纠纷", "物业费", "物业不管", "物业公司", "业委会", "停车费"]),
    sub(p, "labour", "劳资纠纷", "rsj", "district", ["劳资纠纷", "拖欠工资", "欠薪", "讨薪", "不发工资", "农民工工资", "被辞退"]),
    sub(p, "land", "土地纠纷", "sfj", "district", ["土地纠纷", "宅基地", "地界", "征地补偿", "占了我家的地"]),
  ]),
  // Hazards can turn into incidents: they all run on the urgent clock.
  ...group(main("governance", "governance.safety", "治安隐患", "street", "urgent", false), (p) => [
    sub(p, "fire_hazard", "消防隐患", "yjj", "street", ["消防隐患", "消防通道", "堵塞消防通道", "飞线充电", "楼道充电", "电动车充电", "灭火器", "安全出口"], { photoRequired: true }),
    sub(p, "public_security", "治安隐患", "gaj", "street", ["治安隐患", "可疑人员", "小偷", "偷盗", "打架斗殴", "聚众赌博", "吸毒"]),
    sub(p, "work_safety", "安全生产隐患", "yjj", "district", ["安全生产", "安全隐患", "违规作业", "液化气罐", "危险化学品", "高空作业", "脚手架"], { photoRequired: true }),
    sub(p, "telecom_fraud", "电信诈骗", "gaj", "district", ["电信诈骗", "诈骗电话", "诈骗短信", "被骗", "冒充公检法", "刷单"]),
  ]),
  ...group(main("governance", "governance.livelihood", "民生服务", "street", "dukao130", false), (p) => [
    sub(p, "employment", "就业", "rsj", "street", ["就业", "找工作", "失业", "招聘", "就业培训", "创业补贴"]),
    sub(p, "social_insurance", "社保", "rsj", "street", ["社保", "社保卡", "养老保险", "医保", "失业金", "缴费年限"]),
    sub(p, "medical", "医疗", "wjj", "street", ["医疗", "看病", "就医", "医院", "社区医院", "家庭医生", "疫苗"]),
    sub(p, "education", "教育", "jtj", "street", ["教育", "上学", "入学", "学位", "学校", "转学", "幼儿园"]),
    sub(p, "elderly_care", "养老", "mzj", "community", ["养老", "养老院", "居家养老", "老年食堂", "助餐", "高龄补贴"]),
  ]),
  ...group(main("governance", "governance.care", "关爱帮扶", "community", "dukao130", false), (p) => [
    sub(p, "empty_nest_elderly", "空巢老人", "mzj", "community", ["空巢老人", "独居老人", "孤寡老人", "老人一个人住", "没人照顾"]),
    sub(p, "left_behind", "三留人员", "mzj", "community", ["三留人员", "留守儿童", "留守老人", "留守妇女"]),
    sub(p, "hardship", "困难群众", "mzj", "street", ["困难群众", "困难家庭", "生活困难", "低保", "特困", "临时救助"]),
    sub(p, "disabled", "残疾人", "mzj", "street", ["残疾人", "残疾证", "残疾补贴", "轮椅", "无障碍"]),
  ]),
];

// ---------------------------------------------------------------------------
// 12345 hotline appeals: the kind of request, not its subject, so no department.
// ---------------------------------------------------------------------------

const APPEALS: CategorySeed[] = group(main("appeal", "appeal.hotline", "12345热线诉求", "street", "standard", false), (p) => [
  sub(p, "consultation", "咨询", null, "street", ["咨询", "请问", "怎么办理", "想了解"], { deadlinePolicy: "consultation" }),
  sub(p, "help", "求助", null, "street", ["求助", "帮帮忙", "救助"]),
  sub(p, "complaint", "投诉", null, "street", ["投诉", "不满意"]),
  sub(p, "report", "举报", null, "street", ["举报", "检举"]),
  sub(p, "suggestion", "建议", null, "street", ["建议", "希望能"]),
]);

/** Every category, each main class directly followed by its subcategories. */
export const CATEGORY_SEEDS: CategorySeed[] = [...COMPONENTS, ...EVENTS, ...GOVERNANCE, ...APPEALS];
