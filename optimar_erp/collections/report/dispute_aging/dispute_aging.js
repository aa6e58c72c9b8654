frappe.query_reports["Dispute Aging"] = {
	filters: [
		{ fieldname: "company", label: __("Company"), fieldtype: "Link", options: "Company", default: frappe.defaults.get_user_default("Company"), reqd: 1 },
		{ fieldname: "report_date", label: __("As On"), fieldtype: "Date", default: frappe.datetime.get_today() },
		{
			fieldname: "reason_code",
			label: __("Reason"),
			fieldtype: "Select",
			options: ["", "Pricing", "Quantity", "Quality", "Missing PO", "Duplicate Billing", "Delivery / POD", "Other"],
		},
	],
};
