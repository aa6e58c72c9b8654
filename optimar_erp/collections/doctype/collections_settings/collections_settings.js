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
		frm.add_custom_button(__("What Would Go Out Today"), () =>
			frappe
				.call({ method: "optimar_erp.collections.doctype.collections_settings.collections_settings.dry_run", freeze: true })
				.then(({ message: r }) => {
					const rows = Object.entries(r.messages)
						.map(([channel, n]) => `<li>${frappe.utils.escape_html(__(channel))}: ${n}</li>`)
						.join("");
					const held = Object.entries(r.held_back)
						.map(([reason, n]) => `<li>${frappe.utils.escape_html(reason.replace(/_/g, " "))}: ${n}</li>`)
						.join("");
					frappe.msgprint({
						title: __("Today for {0} (nothing was sent)", [r.company]),
						message:
							`<p>${__("{0} reminders to {1} customers, in these messages:", [r.reminders, r.customers])}</p><ul>${rows || `<li>${__("none")}</li>`}</ul>` +
							(held ? `<p>${__("Held back:")}</p><ul>${held}</ul>` : ""),
						indicator: "blue",
					});
				})
		);
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
