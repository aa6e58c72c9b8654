// Collections actions shared by the Sales Invoice and Customer forms.
frappe.provide("optimar.collections");

// Each action takes an optional `done` callback (the worklist refreshes itself); without it, the open
// form reloads.
optimar.collections.after = (done) => (done ? done() : cur_frm && cur_frm.reload_doc());

optimar.collections.record_promise = (customer, invoice, amount, done) => {
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
					optimar.collections.after(done);
				});
		},
	});
	d.show();
};

optimar.collections.raise_dispute = (invoice, amount, done) => {
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
				optimar.collections.after(done);
			});
		},
	});
	d.show();
};

optimar.collections.log_call = (customer, invoice, done) => {
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
					if (done) done();
				});
		},
	});
	d.show();
};

// Risk badges: one look for the list views and the forms.
frappe.provide("optimar.risk");

optimar.risk.COLORS = { Low: "green", Medium: "yellow", High: "orange", Critical: "red" };

// An invoice past its due date (on the report's date when it gives days_overdue): it is late whatever
// the model said when it was posted, so it shows when it is expected to be paid, not a late probability.
optimar.risk.is_overdue = (doc) => {
	if (doc.days_overdue != null && doc.days_overdue !== "") return doc.days_overdue > 0;
	const open = doc.outstanding_amount == null || doc.outstanding_amount > 0;
	return Boolean(open && doc.due_date && doc.due_date < frappe.datetime.get_today());
};

optimar.risk.facts = (doc) => {
	const facts = [];
	// a list row carries no doctype: a customer is what has a risk score (an invoice has none)
	const is_customer = doc.doctype === "Customer" || (doc.risk_score != null && doc.risk_score !== "");
	const overdue = optimar.risk.is_overdue(doc);
	if (overdue) {
		const days = doc.days_overdue || frappe.datetime.get_day_diff(frappe.datetime.get_today(), doc.due_date);
		facts.push(days === 1 ? __("1 day overdue") : __("{0} days overdue", [days]));
	} else if (doc.late_probability != null && doc.late_probability !== "" && !is_customer)
		facts.push(__("{0}% likely to be paid late", [format_number(doc.late_probability, null, 0)]));
	if (doc.predicted_pay_date)
		facts.push(__("expected payment {0}", [frappe.datetime.str_to_user(doc.predicted_pay_date)]));
	if (is_customer) facts.push(__("Risk score {0}/100", [doc.risk_score]));
	return facts;
};

optimar.risk.tooltip = (doc) => {
	const lines = optimar.risk.facts(doc);
	if (doc.risk_factors) lines.push(doc.risk_factors);
	return lines.join("\n");
};

optimar.risk.badge = (band, doc) => {
	if (!band) return "";
	const color = optimar.risk.COLORS[band] || "gray";
	const title = frappe.utils.escape_html(optimar.risk.tooltip(doc || {}));
	return `<span class="indicator-pill ${color} optimar-risk-badge" data-band="${band}" title="${title}">
		<span class="ellipsis">${__(band)}</span></span>`;
};

optimar.risk.explain = (doc, title) => {
	const factors = (doc.risk_factors || "").split("; ").filter(Boolean);
	const items = factors.map((f) => `<li>${frappe.utils.escape_html(f)}</li>`).join("");
	frappe.msgprint({
		title: title || __("Why this risk band?"),
		indicator: optimar.risk.COLORS[doc.risk_band] || "gray",
		message: `<p>${frappe.utils.escape_html(optimar.risk.tooltip({ ...doc, risk_factors: "" })).replace(/\n/g, "<br>")}</p>
			${items ? `<p>${__("Main factors")}:</p><ul>${items}</ul>` : ""}`,
	});
};

optimar.risk.headline = (frm) => {
	const doc = frm.doc;
	if (!doc.risk_band) return;
	const parts = [optimar.risk.badge(doc.risk_band, doc), ...optimar.risk.facts(doc)];
	if (doc.doctype === "Customer" && doc.recommended_credit_limit)
		parts.push(__("advised credit limit {0}", [format_currency(doc.recommended_credit_limit)]));
	frm.dashboard.set_headline_alert(
		`<span class="optimar-risk-headline">${parts.join(" · ")}
		 <a class="optimar-risk-why" style="margin-left: 8px">${__("Why?")}</a></span>`
	);
	frm.$wrapper.find(".optimar-risk-why").off("click").on("click", () => optimar.risk.explain(frm.doc));
};

// The app's reports under the Collections workspace. Frappe files a query report's breadcrumb under its
// ref doctype's module (QueryReport.set_breadcrumbs): Collections Worklist (Customer) went to Selling, AR
// Aging with Risk, DSO and CEI Trend, Cash-in Forecast (Sales Invoice) to Accounting. The forms and lists
// of the app's doctypes already follow their own module, Collections.
if (frappe.views && frappe.views.QueryReport) {
	const standard_breadcrumbs = frappe.views.QueryReport.prototype.set_breadcrumbs;
	frappe.views.QueryReport.prototype.set_breadcrumbs = function () {
		if (this.report_doc && this.report_doc.module === "Collections") {
			frappe.breadcrumbs.add("Collections");
			return;
		}
		return standard_breadcrumbs.call(this);
	};
}

// Late-payment interest and fees due on one invoice (its customer's Late Payment Policy): a Collections
// Manager charges them (a Journal Entry to the policy's income account) or waives them (logged, with why).
optimar.collections.interest = (invoice, done) => {
	frappe.call("optimar_erp.dunning.interest.preview", { invoice }).then(({ message: due }) => {
		if (!due.policy) {
			frappe.msgprint(__("No Late Payment Policy applies to this invoice's customer and company."));
			return;
		}
		if (!(due.interest > 0 || due.fee > 0)) {
			frappe.msgprint(__("Nothing is due under {0}: charged or waived up to date, or not yet late.", [due.policy]));
			return;
		}
		const act = (method, values) =>
			frappe.call(method, { invoices: [invoice], reason: values.reason || "" }).then(({ message }) => {
				d.hide();
				const je = message && message[0] && message[0].journal_entry;
				frappe.show_alert({
					message: je ? __("Charged: {0}", [je]) : __("Waived and logged"),
					indicator: "green",
				});
				optimar.collections.after(done);
			});
		const d = new frappe.ui.Dialog({
			title: __("Late-Payment Interest and Fees"),
			fields: [
				{
					fieldtype: "HTML",
					options: `<p>${__("Policy {0}: interest {1} for {2} days ({3} to {4}), fixed compensation {5}.", [
						frappe.utils.escape_html(due.policy),
						format_currency(due.interest),
						due.days,
						frappe.datetime.str_to_user(due.period_from),
						frappe.datetime.str_to_user(due.period_to),
						format_currency(due.fee),
					])}</p>`,
				},
				{ fieldname: "reason", fieldtype: "Small Text", label: __("Reason (required to waive)") },
			],
			primary_action_label: __("Charge"),
			primary_action: (values) => act("optimar_erp.dunning.interest.charge", values),
			secondary_action_label: __("Waive"),
			secondary_action: () => {
				const values = d.get_values(true);
				if (!values.reason) {
					frappe.msgprint(__("Say why the interest is waived."));
					return;
				}
				act("optimar_erp.dunning.interest.waive", values);
			},
		});
		d.show();
	});
};
