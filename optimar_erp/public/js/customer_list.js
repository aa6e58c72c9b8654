// OptimAR: risk band badge with score and factors on hover in the Customer list.
(() => {
	const settings = (frappe.listview_settings["Customer"] = frappe.listview_settings["Customer"] || {});
	settings.add_fields = [...(settings.add_fields || []), "risk_band", "risk_score", "risk_factors"];
	settings.formatters = Object.assign(settings.formatters || {}, {
		risk_band(value, df, doc) {
			return optimar.risk.badge(value, doc);
		},
	});
})();
