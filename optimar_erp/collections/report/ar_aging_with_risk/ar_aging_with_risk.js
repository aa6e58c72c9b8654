// Copyright (c) 2026, OptimAR ERP contributors
// For license information, please see license.txt

frappe.query_reports["AR Aging with Risk"] = {
	filters: [
		{ fieldname: "company", label: __("Company"), fieldtype: "Link", options: "Company", default: frappe.defaults.get_user_default("Company"), reqd: 1 },
		{ fieldname: "report_date", label: __("As On"), fieldtype: "Date", default: frappe.datetime.get_today(), reqd: 1 },
		{ fieldname: "customer", label: __("Customer"), fieldtype: "Link", options: "Customer" },
		{ fieldname: "risk_band", label: __("Risk Band"), fieldtype: "Select", options: ["", "Low", "Medium", "High", "Critical"] },
		{
			fieldname: "collection_state",
			label: __("Collection State"),
			fieldtype: "Select",
			options: ["", "Not Due", "Reminding", "Promised", "Disputed", "Escalated", "Paid", "Written Off"],
		},
	],
	formatter(value, row, column, data, default_formatter) {
		if (column.fieldname === "risk_band" && data) return optimar.risk.badge(value, data);
		return default_formatter(value, row, column, data);
	},
};
