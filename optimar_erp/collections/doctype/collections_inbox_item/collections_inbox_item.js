// Copyright (c) 2026, OptimAR ERP contributors
// For license information, please see license.txt

frappe.ui.form.on("Collections Inbox Item", {
	refresh(frm) {
		if (frm.doc.status !== "Needs Review") return;
		frm.add_custom_button(__("Accept"), () => {
			const values = {};
			for (const f of ["promised_date", "amount", "reason_code", "return_date", "sales_invoice", "document"]) {
				values[f] = frm.doc[f];
			}
			frappe
				.call("optimar_erp.inbox.replies.accept", { name: frm.doc.name, values })
				.then(({ message }) => {
					frappe.show_alert({ message: message ? __("Created {0}", [message]) : __("Done"), indicator: "green" });
					frm.reload_doc();
				});
		}).addClass("btn-primary");
		frm.add_custom_button(__("Dismiss"), () =>
			frappe.call("optimar_erp.inbox.replies.dismiss", { name: frm.doc.name }).then(() => frm.reload_doc())
		);
		if (frm.doc.communication)
			frm.add_custom_button(__("Open Email"), () => frappe.set_route("Form", "Communication", frm.doc.communication));
	},
});
