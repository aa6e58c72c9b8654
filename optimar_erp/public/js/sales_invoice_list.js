// OptimAR: risk band badge (with the explanation on hover) and predicted pay date in the Sales Invoice list.
(() => {
	const settings = (frappe.listview_settings["Sales Invoice"] = frappe.listview_settings["Sales Invoice"] || {});
	settings.add_fields = [
		...(settings.add_fields || []),
		"risk_band",
		"late_probability",
		"predicted_pay_date",
		"risk_factors",
	];
	settings.formatters = Object.assign(settings.formatters || {}, {
		risk_band(value, df, doc) {
			return optimar.risk.badge(value, doc);
		},
	});
})();
