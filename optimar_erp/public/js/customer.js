frappe.ui.form.on("Customer", {
	refresh(frm) {
		if (frm.is_new()) return;
		const group = __("Collections");
		frm.add_custom_button(__("Record Promise"), () => optimar.collections.record_promise(frm.doc.name), group);
		frm.add_custom_button(__("Log Call"), () => optimar.collections.log_call(frm.doc.name), group);
		frappe.call("optimar_erp.api.collections_summary", { customer: frm.doc.name }).then(({ message: s }) => {
			if (!s) return;
			const money = (v) => format_currency(v, frm.doc.default_currency);
			frm.dashboard.add_indicator(__("Overdue: {0}", [money(s.overdue)]), s.overdue > 0 ? "red" : "green");
			if (s.promised) frm.dashboard.add_indicator(__("Promised: {0}", [money(s.promised)]), "blue");
			if (s.disputed) frm.dashboard.add_indicator(__("Disputed: {0}", [money(s.disputed)]), "orange");
			if (s.risk_band) frm.dashboard.add_indicator(__("Risk: {0}", [__(s.risk_band)]), { Low: "green", Medium: "yellow", High: "orange", Critical: "red" }[s.risk_band]);
			if (s.collections_hold) frm.dashboard.add_indicator(__("On collections hold"), "red");
			if (s.broken_promises) frm.dashboard.add_indicator(__("{0} broken promise(s)", [s.broken_promises]), "orange");
		});
	},
});
