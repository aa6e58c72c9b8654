frappe.query_reports["MSME Payment Deadlines"] = {
	filters: [
		{ fieldname: "company", label: __("Company"), fieldtype: "Link", options: "Company", default: frappe.defaults.get_user_default("Company"), reqd: 1 },
		{ fieldname: "customer", label: __("Customer"), fieldtype: "Link", options: "Customer" },
		{ fieldname: "only_at_risk", label: __("Past or Within 7 Days"), fieldtype: "Check" },
	],
};
