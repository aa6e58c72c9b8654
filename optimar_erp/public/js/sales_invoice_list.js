// OptimAR: risk band badge in the Sales Invoice list; on hover the expected payment date (an overdue
// invoice: how long overdue, not a late probability) and the factors.
(() => {
	const settings = (frappe.listview_settings["Sales Invoice"] = frappe.listview_settings["Sales Invoice"] || {});
	settings.add_fields = [
		...(settings.add_fields || []),
		"risk_band",
		"late_probability",
		"predicted_pay_date",
		"risk_factors",
		"due_date",
		"outstanding_amount",
	];
	settings.formatters = Object.assign(settings.formatters || {}, {
		risk_band(value, df, doc) {
			return optimar.risk.badge(value, doc);
		},
	});
})();
