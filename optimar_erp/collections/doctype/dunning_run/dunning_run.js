// Copyright (c) 2026, OptimAR ERP contributors
// For license information, please see license.txt

frappe.ui.form.on("Dunning Run", {
	refresh(frm) {
		const active = ["Queued", "Running"].includes(frm.doc.status);
		const stuck = active && (!frm.doc.lease_expires_at || frappe.datetime.str_to_obj(frm.doc.lease_expires_at) < new Date());
		if (frm.doc.docstatus === 1 && stuck) {
			frm.dashboard.set_headline_alert(
				__("This run's worker stopped (its lease expired): run it again or cancel it."),
				"orange"
			);
		}
		if (frm.doc.docstatus === 1 && (!active || stuck)) {
			frm.add_custom_button(__("Run Again"), () =>
				frappe
					.call("optimar_erp.collections.doctype.dunning_run.dunning_run.rerun", { name: frm.doc.name })
					.then(() => frm.reload_doc())
			);
		}
		if (frm.doc.docstatus === 1) {
			frm.add_custom_button(__("Activities"), () =>
				frappe.set_route("List", "Collection Activity", { dunning_run: frm.doc.name })
			);
			optimar_learned_choices(frm);
		}
	},
});

// the reminders whose channel, time or tone the response model chose: what, and why
function optimar_learned_choices(frm) {
	frappe.db
		.get_list("Collection Activity", {
			filters: { dunning_run: frm.doc.name, learned: 1 },
			fields: ["name", "customer", "channel", "tone", "send_hour", "propensity", "choice_reason", "status"],
			order_by: "customer asc",
			limit: 50,
		})
		.then((rows) => {
			if (!rows || !rows.length) return;
			const esc = frappe.utils.escape_html;
			const body = rows
				.map(
					(r) => `<tr>
						<td><a href="/app/collection-activity/${encodeURIComponent(r.name)}">${esc(r.customer)}</a></td>
						<td>${esc(__(r.channel))}</td>
						<td>${String(r.send_hour).padStart(2, "0")}:00</td>
						<td>${esc(__(r.tone || ""))}</td>
						<td>${flt(r.propensity, 3)}</td>
						<td>${esc(r.choice_reason || "")}</td>
					</tr>`
				)
				.join("");
			const head = [__("Customer"), __("Channel"), __("Time"), __("Tone"), __("Probability"), __("Why")]
				.map((h) => `<th>${esc(h)}</th>`)
				.join("");
			frm.dashboard.add_section(
				`<div class="optimar-learned-choices"><table class="table table-sm"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`,
				__("Learned Choices")
			);
			frm.dashboard.show();
		});
}

