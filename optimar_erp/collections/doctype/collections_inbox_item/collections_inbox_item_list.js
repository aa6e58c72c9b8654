frappe.listview_settings["Collections Inbox Item"] = {
	add_fields: ["status", "intent"],
	filters: [["status", "=", "Needs Review"]],
	get_indicator(doc) {
		const colors = { "Needs Review": "orange", "Auto-Applied": "blue", Accepted: "green", Dismissed: "gray" };
		return [__(doc.status), colors[doc.status], "status,=," + doc.status];
	},
};
