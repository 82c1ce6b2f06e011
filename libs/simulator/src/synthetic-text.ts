/**
 * Synthetic text for generated orders: titles, replies, reasons, and citizens. Names are drawn
 * from common surnames and given-name characters and phone numbers are random digits, so no
 * generated citizen is a real person except by chance; the engine masks them anyway.
 */
import type { Category } from '@hotline/core';
import type { Random } from './random';
import type { UnitKind } from './traffic-mix';

const TITLES: Readonly<Record<Category, Readonly<Partial<Record<UnitKind, readonly string[]>>>>> = {
  complaint: {
    enforcement: ['夜间施工噪音扰民', '占道经营影响通行', '餐饮油烟扰民', '违章搭建', '露天烧烤'],
    property: ['物业服务不到位', '小区垃圾清运不及时', '物业收费不合理', '楼道堆物未清理'],
    utility: ['供暖温度不达标', '自来水水质浑浊'],
    service: ['办事窗口服务态度差'],
    community: ['邻里噪音纠纷', '楼道乱贴小广告', '宠物扰民', '高空抛物'],
  },
  help: {
    enforcement: ['车辆被堵无法驶出'],
    property: ['电梯故障困人后维修', '楼顶漏水', '单元门禁损坏', '下水道堵塞'],
    utility: ['暖气不热', '小区停水', '路灯不亮', '燃气管道异味'],
    service: ['老年人办理社保卡', '残疾人补贴申领'],
    community: ['独居老人需要帮扶', '困难家庭申请救助', '开具居住证明'],
  },
  consultation: {
    enforcement: ['装修施工时间规定'],
    property: ['维修基金使用流程', '停车位租赁政策'],
    utility: ['停水停电时间', '供暖开始时间'],
    service: ['医保报销政策', '生育津贴申领', '居住证办理条件', '公积金提取'],
    community: ['疫苗接种安排', '社区活动报名', '养老服务补贴'],
  },
  report: {
    enforcement: ['群租房安全隐患', '无证经营', '违规占用消防通道', '私拉电线充电'],
    property: ['小区内违规经营'],
    utility: ['井盖缺失'],
    service: ['冒领补贴'],
    community: ['楼道电动车充电', '违规饲养大型犬'],
  },
  suggestion: {
    enforcement: ['增设临时停车点'],
    property: ['增设电动车充电桩', '小区增加绿化'],
    utility: ['延长路灯照明时间'],
    service: ['窗口增加周末服务'],
    community: ['增设健身器材', '开设老年食堂'],
  },
  praise: {
    enforcement: ['执法队员耐心解决问题'],
    property: ['维修师傅及时上门'],
    utility: ['抢修及时'],
    service: ['窗口工作人员热情周到'],
    community: ['社区工作人员帮扶老人'],
  },
};

const GENERIC_TITLES: Readonly<Record<Category, string>> = {
  complaint: '市民投诉',
  help: '市民求助',
  consultation: '政策咨询',
  report: '市民举报',
  suggestion: '意见建议',
  praise: '表扬',
};

export function titleFor(random: Random, category: Category, kind: UnitKind): string {
  const pool = TITLES[category][kind];
  return pool && pool.length > 0 ? random.pick(pool) : GENERIC_TITLES[category];
}

const ROADS = [
  '第一大街',
  '第二大街',
  '第三大街',
  '第五大街',
  '宏达街',
  '泰丰路',
  '洞庭路',
  '黄海路',
  '南海路',
  '新城东路',
  '北海路',
  '太湖路',
];

export function addressFor(random: Random): string {
  return `泰达街${random.pick(ROADS)}${random.int(1, 200)}号${random.int(1, 30)}栋${random.int(1, 6)}门`;
}

const SURNAMES =
  '王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕'.split('');
const GIVEN =
  '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国玉兰海燕志红文斌晓丹鹏飞雪梅'.split('');
const MOBILE_PREFIXES = ['13', '15', '17', '18', '19'];

/** 10% of callers give no name; 2% no number (anonymous calls still reach the street). */
export function citizenFor(random: Random): { name?: string; phone?: string } {
  const citizen: { name?: string; phone?: string } = {};
  if (!random.chance(0.1)) {
    const given = random.chance(0.6) ? random.pick(GIVEN) + random.pick(GIVEN) : random.pick(GIVEN);
    citizen.name = random.pick(SURNAMES) + given;
  }
  if (!random.chance(0.02)) {
    let digits = random.pick(MOBILE_PREFIXES);
    for (let i = 0; i < 9; i += 1) digits += String(random.int(0, 10));
    citizen.phone = digits;
  }
  return citizen;
}

export const RETURN_REASONS = [
  '不属于本单位职责范围，建议转区住建委',
  '诉求地址不在本辖区',
  '属于司法程序处理事项',
  '应由供热公司直接处理',
];
export const RETURN_REJECTION_REASONS = ['经核实属于本单位职责，请继续办理', '退单理由不充分'];
export const EXTENSION_REASONS = [
  '需协调多个部门联合处置',
  '涉及施工维修，工期较长',
  '需等待第三方检测结果',
  '当事人暂时无法联系',
];
export const EXTENSION_REJECTION_REASONS = ['延期理由不充分', '应在原时限内办结'];
export const SUSPENSION_REASONS = [
  '等待司法鉴定结果',
  '来电人出差，约定返回后处理',
  '需等待专项资金审批',
];
export const REPLY_REJECTION_REASONS = [
  '答复内容未回应诉求',
  '未与来电人沟通，请补充联系情况',
  '处理结果描述不清',
];
export const REOPEN_REASONS = ['群众不满意，重新办理', '核实为虚假办结，责令重办'];
export const EXCLUSION_REASONS = [
  '重复工单',
  '非本街道职责，经审核不计考核',
  '恶意诉求，经认定不计考核',
];
export const FLAG_NOTES = ['多次来电反映', '涉及多户居民', '街道领导批示跟踪', '媒体关注'];

export function replyFor(random: Random, title: string): string {
  return random.pick([
    `已现场核实“${title}”问题并处理完毕，已电话告知来电人。`,
    `经协调相关单位，“${title}”问题已解决，来电人表示认可。`,
    `已联系来电人说明情况并解释相关政策（${title}）。`,
    `“${title}”已安排专人跟进，问题已处理，后续持续关注。`,
  ]);
}

export const CALLBACK_COMMENTS: Readonly<Record<string, readonly string[]>> = {
  satisfied: ['问题已解决', '处理及时'],
  basically_satisfied: ['基本解决，希望持续关注'],
  dissatisfied: ['问题没有解决', '处理人员未上门', '答复敷衍'],
};
