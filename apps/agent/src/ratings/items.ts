import type { ServiceId } from '@kiosk/contracts/session-view';

/**
 * The 政务服务事项 each kiosk service belongs to, as the evaluation platform files ratings: the
 * item's code in the provincial item catalogue, its name and the department that answers for it
 * (and handles a 差评's follow-up). Codes follow the catalogue's shape (department code + item
 * serial); they are the sandbox's, to be replaced by the province's when the kiosk is filed.
 */
export interface ServiceItem {
  itemCode: string;
  itemName: string;
  department: string;
}

export const serviceItems: Readonly<Record<ServiceId, ServiceItem>> = {
  property: { itemCode: '11421200MB1518434K4000117009000', itemName: '不动产登记资料查询', department: '咸宁市自然资源和规划局' },
  tax: {
    itemCode: '11421200MB1518434K4000217003000',
    itemName: '个人所得税纳税记录开具',
    department: '国家税务总局咸宁市税务局',
  },
  social: {
    itemCode: '11421200MB1518434K4000317011000',
    itemName: '社会保险缴费凭证打印',
    department: '咸宁市人力资源和社会保障局',
  },
  gas: { itemCode: '11421200MB1518434K4000417020000', itemName: '管道燃气充值缴费', department: '咸宁市住房和城乡建设局' },
  licence: {
    itemCode: '11421200MB1518434K4000517031000',
    itemName: '电子证照用证打印',
    department: '咸宁市政务服务和大数据管理局',
  },
  // 自助照相: the photo platform's receipt service (数码照片回执), registered as a public-security convenience item.
  photo: { itemCode: '11421200MB1518434K4000617040000', itemName: '证件照数码照片回执', department: '咸宁市公安局' },
};
