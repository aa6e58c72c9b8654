frappe.ui.form.on("Sales Invoice", {
	refresh(frm) {
		if (frm.doc.docstatus === 1 && frm.doc.risk_band) optimar.risk.headline(frm);
		if (frm.doc.docstatus !== 1 || frm.doc.is_return || !(frm.doc.outstanding_amount > 0)) return;
		const group = __("Collections");
		frm.add_custom_button(
			__("Record Promise"),
			() => optimar.collections.record_promise(frm.doc.customer, frm.doc.name, frm.doc.outstanding_amount),
			group
		);
		frm.add_custom_button(
			__("Raise Dispute"),
			() => optimar.collections.raise_dispute(frm.doc.name, frm.doc.outstanding_amount),
			group
		);
		frm.add_custom_button(__("Log Call"), () => optimar.collections.log_call(frm.doc.customer, frm.doc.name), group);
		if (frappe.user.has_role(["Collections Manager", "System Manager"]) && frm.doc.due_date < frappe.datetime.get_today()) {
			frm.add_custom_button(__("Interest and Fees"), () => optimar.collections.interest(frm.doc.name), group);
		}
	},
});
