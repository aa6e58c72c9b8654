// Copyright (c) 2026, OptimAR ERP contributors
// For license information, please see license.txt

frappe.query_reports["Collections Worklist"] = {
	filters: [
		{ fieldname: "company", label: __("Company"), fieldtype: "Link", options: "Company" },
		{
			fieldname: "collector",
			label: __("Collector"),
			fieldtype: "Link",
			options: "User",
			default: frappe.user.has_role("Collections Manager") ? "" : frappe.session.user,
		},
		{ fieldname: "risk_band", label: __("Risk Band"), fieldtype: "Select", options: ["", "Low", "Medium", "High", "Critical"] },
		{ fieldname: "bucket", label: __("Bucket"), fieldtype: "Select", options: ["", "Not Due", "1-30", "31-60", "61-90", "90+"] },
	],
	formatter(value, row, column, data, default_formatter) {
		if (!data) return default_formatter(value, row, column, data);
		if (column.fieldname === "actions") {
			const c = frappe.utils.escape_html(data.customer);
			const button = (action, label, primary) =>
				`<button class="btn btn-xs ${primary ? "btn-primary" : "btn-default"} optimar-wl-action"
					data-wl-action="${action}" data-customer="${c}">${label}</button>`;
			const primary = { call: "call", escalate: "call", email: "remind", whatsapp: "remind" }[data.next_action];
			return [
				button("call", __("Log Call"), primary === "call"),
				button("remind", __("Remind Now"), primary === "remind"),
				button("promise", __("Promise"), data.next_action === "wait_for_promise"),
				button("dispute", __("Dispute")),
				button("snooze", __("Snooze")),
			].join(" ");
		}
		if (column.fieldname === "risk_band") return optimar.risk.badge(value, {});
		if (column.fieldname === "reason") return `<span title="${frappe.utils.escape_html(value || "")}">${frappe.utils.escape_html(value || "")}</span>`;
		return default_formatter(value, row, column, data);
	},
	onload(report) {
		$(report.page.wrapper).on("click", ".optimar-wl-action", (e) => {
			e.stopPropagation();
			const customer = $(e.currentTarget).attr("data-customer");
			const action = $(e.currentTarget).attr("data-wl-action");
			const done = () => report.refresh();
			if (action === "call") optimar.collections.log_call(customer, null, done);
			if (action === "promise") optimar.collections.record_promise(customer, null, null, done);
			if (action === "dispute")
				frappe.call("optimar_erp.worklist.oldest_open_invoice", { customer }).then(({ message: inv }) => {
					if (inv) optimar.collections.raise_dispute(inv.name, inv.outstanding_amount, done);
				});
			if (action === "remind")
				frappe.confirm(__("Send {0} the reminder that is due now?", [customer]), () =>
					frappe.call("optimar_erp.worklist.send_next_reminder", { customer }).then(({ message }) => {
						frappe.show_alert({ message: __("Dunning Run {0} started", [message]), indicator: "green" });
						done();
					})
				);
			if (action === "snooze") {
				const d = new frappe.ui.Dialog({
					title: __("Snooze {0}", [customer]),
					fields: [
						{ fieldname: "until", fieldtype: "Date", label: __("Until"), reqd: 1, default: frappe.datetime.add_days(frappe.datetime.get_today(), 7) },
						{ fieldname: "note", fieldtype: "Small Text", label: __("Why") },
					],
					primary_action_label: __("Snooze"),
					primary_action(values) {
						frappe.call("optimar_erp.worklist.snooze", { customer, ...values }).then(() => {
							d.hide();
							done();
						});
					},
				});
				d.show();
			}
		});
	},
};
