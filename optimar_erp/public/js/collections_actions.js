// Collections actions shared by the Sales Invoice and Customer forms.
frappe.provide("optimar.collections");

optimar.collections.record_promise = (customer, invoice, amount) => {
	const d = new frappe.ui.Dialog({
		title: __("Record Promise to Pay"),
		fields: [
			{ fieldname: "promised_amount", fieldtype: "Currency", label: __("Amount"), reqd: 1, default: amount },
			{ fieldname: "promised_date", fieldtype: "Date", label: __("Promised Date"), reqd: 1 },
			{
				fieldname: "channel",
				fieldtype: "Select",
				label: __("Channel"),
				options: ["Phone", "Email", "WhatsApp", "In Person", "Other"],
				default: "Phone",
			},
			{ fieldname: "notes", fieldtype: "Small Text", label: __("Notes") },
		],
		primary_action_label: __("Record"),
		primary_action(values) {
			frappe
				.call("optimar_erp.api.record_promise", { customer, invoices: invoice ? [invoice] : [], ...values })
				.then(({ message }) => {
					d.hide();
					frappe.show_alert({ message: __("Promise {0} recorded", [message]), indicator: "green" });
					cur_frm && cur_frm.reload_doc();
				});
		},
	});
	d.show();
};

optimar.collections.raise_dispute = (invoice, amount) => {
	const d = new frappe.ui.Dialog({
		title: __("Raise Dispute"),
		fields: [
			{
				fieldname: "reason_code",
				fieldtype: "Select",
				label: __("Reason"),
				reqd: 1,
				options: ["Pricing", "Quantity", "Quality", "Missing PO", "Duplicate Billing", "Delivery / POD", "Other"],
			},
			{ fieldname: "disputed_amount", fieldtype: "Currency", label: __("Disputed Amount"), default: amount },
			{ fieldname: "description", fieldtype: "Small Text", label: __("What is wrong"), reqd: 1 },
		],
		primary_action_label: __("Raise"),
		primary_action(values) {
			frappe.call("optimar_erp.api.raise_dispute", { sales_invoice: invoice, ...values }).then(({ message }) => {
				d.hide();
				frappe.show_alert({ message: __("Dispute {0} raised", [message]), indicator: "orange" });
				cur_frm && cur_frm.reload_doc();
			});
		},
	});
	d.show();
};

optimar.collections.log_call = (customer, invoice) => {
	const d = new frappe.ui.Dialog({
		title: __("Log Call"),
		fields: [
			{
				fieldname: "outcome",
				fieldtype: "Select",
				label: __("Outcome"),
				reqd: 1,
				options: [
					"Reached - Will Pay",
					"Reached - Promise Recorded",
					"Reached - Disputes",
					"Reached - Refused",
					"Left Message",
					"No Answer",
					"Wrong Number",
				],
			},
			{ fieldname: "notes", fieldtype: "Small Text", label: __("Notes") },
			{ fieldname: "next_action_date", fieldtype: "Date", label: __("Next Action Date") },
		],
		primary_action_label: __("Log"),
		primary_action(values) {
			frappe
				.call("optimar_erp.api.log_call", { customer, sales_invoice: invoice, ...values })
				.then(() => {
					d.hide();
					frappe.show_alert({ message: __("Call logged"), indicator: "green" });
				});
		},
	});
	d.show();
};
