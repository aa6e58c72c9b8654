// Copyright (c) 2026, OptimAR ERP contributors
// For license information, please see license.txt

frappe.ui.form.on("Collections Settings", {
	onload(frm) {
		frappe.call("frappe.core.doctype.user.user.get_timezones").then((r) => {
			frm.set_df_property("company_time_zone", "options", r.message.timezones);
		});
		frm.set_query("default_dunning_sequence", () => ({ filters: { enabled: 1 } }));
	},
	refresh(frm) {
		frm.add_custom_button(__("Check Set-up"), () =>
			frappe.call("optimar_erp.setup.checklist.check_setup").then(({ message: gaps }) => {
				if (!gaps || !gaps.length) {
					frappe.msgprint({ title: __("Set-up"), message: __("Nothing is missing."), indicator: "green" });
					return;
				}
				const items = gaps
					.map((g) => `<li class="${g.severity === "error" ? "text-danger" : ""}">${frappe.utils.escape_html(g.message)}</li>`)
					.join("");
				frappe.msgprint({ title: __("Set-up: still missing"), message: `<ul>${items}</ul>`, indicator: "orange" });
			})
		);
	},
});
