// Copyright (c) 2026, OptimAR ERP contributors
// For license information, please see license.txt

frappe.ui.form.on("Collections Settings", {
	onload(frm) {
		frappe.call("frappe.core.doctype.user.user.get_timezones").then((r) => {
			frm.set_df_property("company_time_zone", "options", r.message.timezones);
		});
		frm.set_query("default_dunning_sequence", () => ({ filters: { enabled: 1 } }));
	},
});
