// Copyright (c) 2026, OptimAR ERP contributors
// For license information, please see license.txt

frappe.query_reports["DSO and CEI Trend"] = {
	filters: [
		{ fieldname: "company", label: __("Company"), fieldtype: "Link", options: "Company", default: frappe.defaults.get_user_default("Company"), reqd: 1 },
		{ fieldname: "to_date", label: __("To Date"), fieldtype: "Date", default: frappe.datetime.get_today(), reqd: 1 },
		{ fieldname: "months", label: __("Months"), fieldtype: "Int", default: 12 },
	],
};
