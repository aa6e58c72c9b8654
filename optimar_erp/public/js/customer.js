frappe.ui.form.on("Customer", {
	refresh(frm) {
		if (frm.is_new()) return;
		const group = __("Collections");
		frm.add_custom_button(__("Record Promise"), () => optimar.collections.record_promise(frm.doc.name), group);
		frm.add_custom_button(__("Log Call"), () => optimar.collections.log_call(frm.doc.name), group);
		if (frm.doc.risk_band) optimar.risk.headline(frm);
		optimar.risk.credit_advice(frm, group);
		optimar.risk.trend(frm);
		optimar.response.profile(frm);
		frappe.call("optimar_erp.api.collections_summary", { customer: frm.doc.name }).then(({ message: s }) => {
			if (!s) return;
			const money = (v) => format_currency(v, frm.doc.default_currency);
			frm.dashboard.add_indicator(__("Overdue: {0}", [money(s.overdue)]), s.overdue > 0 ? "red" : "green");
			if (s.unmatched_credit > 0.005)
				frm.dashboard.add_indicator(
					__("Received, not yet matched: {0} (taken off the overdue)", [money(s.unmatched_credit)]),
					"blue"
				);
			if (s.promised) frm.dashboard.add_indicator(__("Promised: {0}", [money(s.promised)]), "blue");
			if (s.disputed) frm.dashboard.add_indicator(__("Disputed: {0}", [money(s.disputed)]), "orange");
			if (s.collections_hold) frm.dashboard.add_indicator(__("On collections hold"), "red");
			if (s.broken_promises) frm.dashboard.add_indicator(s.broken_promises === 1 ? __("1 broken promise") : __("{0} broken promises", [s.broken_promises]), "orange");
		});
	},
});

optimar.risk.credit_advice = (frm, group) => {
	const doc = frm.doc;
	if (!doc.credit_advice) return;
	frm.set_df_property("credit_limits", "description", `${__("OptimAR credit advice")}: ${frappe.utils.escape_html(doc.credit_advice)}`);
	if (!doc.recommended_credit_limit || !frappe.model.can_write("Customer")) return;
	const company = doc.credit_advice_company;
	const current = (doc.credit_limits || []).find((r) => r.company === company);
	frm.dashboard.add_indicator(
		__("Credit limit {0} · advised {1}", [
			current ? format_currency(current.credit_limit) : __("none"),
			format_currency(doc.recommended_credit_limit),
		]),
		current && current.credit_limit > doc.recommended_credit_limit ? "orange" : "blue"
	);
	frm.add_custom_button(
		__("Apply Recommended Credit Limit"),
		() =>
			frappe.confirm(
				`${frappe.utils.escape_html(doc.credit_advice)}<br><br>${__("Set the credit limit for {0} to {1}?", [
					company,
					format_currency(doc.recommended_credit_limit),
				])}`,
				() =>
					frappe
						.call("optimar_erp.risk.credit.apply_credit_limit", {
							customer: doc.name,
							company,
							credit_limit: doc.recommended_credit_limit,
						})
						.then(() => frm.reload_doc())
			),
		group
	);
};

optimar.risk.trend = (frm) => {
	frappe
		.call("optimar_erp.api.risk_trend", { customer: frm.doc.name })
		.then(({ message: rows }) => {
			if (!rows || rows.length < 2) return;
			const $section = frm.dashboard.add_section(`<div class="optimar-risk-trend"></div>`, __("Risk Score Trend"));
			new frappe.Chart($section.find(".optimar-risk-trend")[0], {
				type: "line",
				height: 180,
				data: {
					labels: rows.map((r) => frappe.datetime.str_to_user(r.date)),
					datasets: [{ name: __("Risk Score"), values: rows.map((r) => r.score) }],
				},
				yMarkers: [{ label: __("High"), value: 50 }],
				colors: ["#e24c4c"],
				axisOptions: { xIsSeries: 1 },
			});
			frm.dashboard.show();
		});
};

// OptimAR learning collections: what the nightly job learned of this customer (Customer Response Profile)
frappe.provide("optimar.response");
optimar.response.profile = (frm) => {
	const fields = ["best_channel", "best_time", "best_tone", "chance", "payment_run_days", "touches", "evidence", "learned_on"];
	frappe.db.get_value("Customer Response Profile", { customer: frm.doc.name }, fields).then(({ message: p }) => {
		if (!p || (!p.best_channel && !p.payment_run_days)) return;
		const esc = frappe.utils.escape_html;
		if (p.best_channel)
			frm.dashboard.add_indicator(__("Best channel: {0} at {1}", [__(p.best_channel), p.best_time || "-"]), "purple");
		if (p.payment_run_days) frm.dashboard.add_indicator(__("Pays on: {0}", [p.payment_run_days]), "purple");
		const rows = [
			[__("Best channel"), p.best_channel ? __(p.best_channel) : __("Not learned yet")],
			[__("Best time (customer's clock)"), p.best_time || "-"],
			[__("Best tone"), p.best_tone ? __(p.best_tone) : "-"],
			[__("Chance of payment or promise"), p.chance ? `${flt(p.chance, 1)} %` : "-"],
			[__("Payment-run days"), p.payment_run_days || __("No clear payment run")],
			[__("Evidence"), p.evidence || __("No reminders sent yet")],
		];
		const html = `<div class="optimar-response-profile"><table class="table table-sm" style="margin:0">${rows
			.map(([k, v]) => `<tr><td class="text-muted" style="width:30%">${esc(k)}</td><td>${esc(String(v))}</td></tr>`)
			.join("")}</table><div class="text-muted small">${esc(
			__("Learned from {0} reminders on {1}", [p.touches || 0, frappe.datetime.str_to_user(p.learned_on)])
		)}</div></div>`;
		frm.dashboard.add_section(html, __("How This Customer Responds"));
		frm.dashboard.show();
	});
};
