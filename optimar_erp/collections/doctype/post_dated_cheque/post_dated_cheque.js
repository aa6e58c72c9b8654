frappe.ui.form.on("Post Dated Cheque", {
	refresh(frm) {
		if (frm.is_new() || !["Pending", "Cleared"].includes(frm.doc.status)) return;
		frm.add_custom_button(__("Mark Bounced"), () => {
			const manager = frappe.user.has_role(["Collections Manager", "System Manager"]);
			frappe.prompt(
				[
					{ fieldname: "reason", fieldtype: "Small Text", label: __("Bank's reason"), reqd: 1 },
					...(manager ? [{ fieldname: "charge_fee", fieldtype: "Check", label: __("Charge the policy's bounce fee") }] : []),
				],
				(values) =>
					frappe
						.call("optimar_erp.dunning.cheques.mark_bounced", { cheque: frm.doc.name, ...values })
						.then(() => frm.reload_doc()),
				__("Cheque Bounced"),
				__("Record")
			);
		});
	},
});
