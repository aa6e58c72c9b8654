frappe.listview_settings["Risk Model"] = {
	add_fields: ["scorer"],
	get_indicator(doc) {
		if (doc.status === "Active" && doc.scorer === "Baseline") return [__("Active (baseline)"), "orange", "status,=,Active"];
		const colors = { Active: "green", Superseded: "gray", "Not Enough History": "orange", Failed: "red" };
		return [__(doc.status), colors[doc.status] || "gray", "status,=," + doc.status];
	},
	onload(listview) {
		if (frappe.user.has_role(["Collections Manager", "System Manager"])) {
			listview.page.add_inner_button(__("Train and Score Now"), () =>
				frappe
					.call("optimar_erp.risk.jobs.train_now")
					.then((r) => frappe.show_alert({ message: r.message, indicator: "blue" }))
			);
		}
	},
};
