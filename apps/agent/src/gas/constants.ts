/** The gas company printed on slips when an order does not say (the sandbox's synthetic partner). */
export const GAS_COMPANY_NAME = '昆仑燃气咸宁分公司';
