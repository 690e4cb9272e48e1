/** Simplified Chinese, the default language. Every visible string comes from a catalogue. */
export const zhCN = {
  'app.title': '24小时自助服务区',
  'app.subtitle': '政务服务 · 不打烊',
  'lang.switch': 'English',
  'lang.switch.label': '切换到英文 Switch to English',
  'elder.on': '长辈版',
  'elder.off': '标准版',
  'elder.label': '切换长辈版（字更大）',
  'home.prompt': '请选择要办理的业务',
  'service.property': '不动产查询',
  'service.property.desc': '登记信息 · 权利状态',
  'service.gas': '燃气充值',
  'service.gas.desc': '扫码缴费 · 购气',
  'service.tax': '完税凭证打印',
  'service.tax.desc': '个人所得税纳税记录',
  'service.social': '社保凭单打印',
  'service.social.desc': '缴费凭单 · 票据',
  'soon.title': '即将开通',
  'soon.body': '该业务正在接入中，敬请期待。如需办理，请拨打 12345 政务服务热线。',
  'common.back': '返回首页',
  'conn.lost': '正在连接设备服务…',
  'footer.hotline': '服务热线 12345',
} as const;

export type MessageKey = keyof typeof zhCN;
