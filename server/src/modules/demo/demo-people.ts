/** Deterministic synthetic names and phone numbers for the demo district. */

const SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文";
const GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国志云燕飞鑫宇浩然梓涵子轩欣怡思雨佳琪晨阳文博雅婷俊杰丹慧琳瑞雪凯旭";

type Random = () => number;

const pick = (random: Random, chars: string) => chars[Math.floor(random() * chars.length)];

export function personName(random: Random): string {
  const given = random() < 0.6 ? pick(random, GIVEN) + pick(random, GIVEN) : pick(random, GIVEN);
  return pick(random, SURNAMES) + given;
}

export function mobilePhone(random: Random): string {
  const prefix = ["138", "139", "150", "151", "187", "188", "135", "136"][Math.floor(random() * 8)];
  return prefix + String(Math.floor(random() * 1e8)).padStart(8, "0");
}
