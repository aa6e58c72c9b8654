frappe.listview_settings["Customer Risk Score"] = {
	add_fields: ["band"],
	get_indicator(doc) {
		const colors = { Low: "green", Medium: "yellow", High: "orange", Critical: "red" };
		return [__(doc.band), colors[doc.band] || "gray", "band,=," + doc.band];
	},
};
