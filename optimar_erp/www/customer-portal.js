// The customer portal page: selection, dialogs and calls to optimar_erp.portal.api.
// Every call carries the page's scope (the signed link's token, or the customer of a logged-in user)
// and, for a logged-in session, its CSRF token. The server checks everything again.

frappe.ready(function () {
	const root = document.getElementById("optimar-portal");
	if (!root) {
		return;
	}
	const API = "/api/method/optimar_erp.portal.api.";
	const STATUS_KEY = "optimar-portal-status";
	const MAX_BYTES = 5 * 1024 * 1024;
	const TYPES = ["pdf", "png", "jpg", "jpeg"];
	const token = root.dataset.token || "";
	const customer = root.dataset.customer || "";
	const rows = Array.from(root.querySelectorAll("tr.portal-invoice"));
	let opener = null;

	// ------------------------------------------------------------------ calls

	function scope() {
		return token ? { token: token } : { customer: customer };
	}

	function headers() {
		const h = { Accept: "application/json", "X-Requested-With": "XMLHttpRequest" };
		if (frappe.csrf_token && frappe.csrf_token !== "None") {
			h["X-Frappe-CSRF-Token"] = frappe.csrf_token;
		}
		return h;
	}

	function text_of(html) {
		// DOMParser documents are inert: nothing in the message runs or loads
		return new DOMParser().parseFromString(String(html), "text/html").body.textContent.trim();
	}

	function error_of(response, body) {
		if (response.status === 429) {
			return __("Too many requests. Please wait a few minutes and try again.");
		}
		try {
			const messages = JSON.parse((body && body._server_messages) || "[]").map((m) => {
				const parsed = JSON.parse(m);
				return text_of(parsed.message || parsed);
			});
			if (messages.length) {
				return messages.join(" ");
			}
		} catch (e) {
			// fall through to the generic message
		}
		if (response.status === 400 || response.status === 403) {
			return __("This action is not allowed. Reload the page and try again.");
		}
		return __("Something went wrong. Please try again.");
	}

	async function post(method, data) {
		Object.entries(scope()).forEach(([k, v]) => data.set(k, v));
		const response = await fetch(API + method, {
			method: "POST",
			body: data,
			headers: headers(),
			credentials: "same-origin",
		});
		const body = await response.json().catch(() => ({}));
		if (!response.ok) {
			throw new Error(error_of(response, body));
		}
		return body.message;
	}

	function url_of(method, params) {
		return API + method + "?" + new URLSearchParams(Object.assign({}, params, scope())).toString();
	}

	async function get(method, params) {
		const response = await fetch(url_of(method, params), {
			headers: headers(),
			credentials: "same-origin",
		});
		const body = await response.json().catch(() => ({}));
		if (!response.ok) {
			throw new Error(error_of(response, body));
		}
		return body.message;
	}

	// ------------------------------------------------------------------ helpers

	function money(value, currency) {
		try {
			return format_currency(value, currency);
		} catch (e) {
			return currency + " " + Number(value).toFixed(2);
		}
	}

	function done(message) {
		sessionStorage.setItem(STATUS_KEY, message);
		window.location.reload();
	}

	function show_status() {
		const message = sessionStorage.getItem(STATUS_KEY);
		if (!message) {
			return;
		}
		sessionStorage.removeItem(STATUS_KEY);
		const status = document.getElementById("portal-status");
		status.textContent = message;
		status.classList.add("portal-status-shown");
		status.focus();
	}

	function set_error(form, message) {
		const box = form.querySelector(".portal-error");
		box.textContent = message || "";
		box.hidden = !message;
	}

	function check_file(input) {
		const file = input && input.files && input.files[0];
		if (!file) {
			return null;
		}
		const extension = file.name.includes(".") ? file.name.split(".").pop().toLowerCase() : "";
		if (!TYPES.includes(extension)) {
			return __("The attachment must be a PDF, PNG or JPEG file.");
		}
		if (file.size > MAX_BYTES) {
			return __("The attachment is larger than {0} MB.", [5]);
		}
		return null;
	}

	function check_amount(input, max) {
		const value = parseFloat(input.value);
		if (!(value > 0)) {
			return __("Enter an amount greater than zero.");
		}
		if (max !== undefined && value > max + 0.005) {
			return __("The amount is more than the outstanding {0}.", [max.toFixed(2)]);
		}
		return null;
	}

	function user_date(value) {
		try {
			return frappe.datetime.str_to_user(value);
		} catch (e) {
			return value;
		}
	}

	function check_date(input) {
		if (!input.value) {
			return __("Enter a date.");
		}
		if ((input.min && input.value < input.min) || (input.max && input.value > input.max)) {
			return __("Choose a date from {0} to {1}.", [user_date(input.min), user_date(input.max)]);
		}
		return null;
	}

	async function submit(form, work) {
		const button = form.querySelector("button[type=submit]");
		set_error(form, "");
		button.disabled = true;
		try {
			await work();
		} catch (e) {
			set_error(form, e.message);
		} finally {
			button.disabled = false;
		}
	}

	function open_dialog(dialog, from) {
		opener = from || document.activeElement;
		dialog.querySelectorAll(".portal-error").forEach((box) => (box.hidden = true));
		dialog.showModal();
	}

	root.querySelectorAll("dialog").forEach((dialog) => {
		dialog.addEventListener("close", () => opener && opener.focus && opener.focus());
	});
	root.querySelectorAll(".portal-close").forEach((button) =>
		button.addEventListener("click", () => button.closest("dialog").close())
	);

	// ------------------------------------------------------------------ selection

	const select_all = document.getElementById("portal-select-all");
	const selection_label = document.getElementById("portal-selection");
	const promise_selected = document.getElementById("portal-promise-selected");
	const upi_selected = document.getElementById("portal-upi-selected");

	function chosen() {
		return rows.filter((row) => row.querySelector(".portal-select").checked);
	}

	function totals(list) {
		const by_currency = {};
		list.forEach((row) => {
			const c = row.dataset.currency;
			by_currency[c] = (by_currency[c] || 0) + parseFloat(row.dataset.outstanding);
		});
		return by_currency;
	}

	function update_selection() {
		const list = chosen();
		if (!selection_label) {
			return;
		}
		if (!list.length) {
			selection_label.textContent = __("No invoice selected");
		} else {
			const sums = Object.entries(totals(list)).map(([c, v]) => money(v, c));
			selection_label.textContent = __("{0} selected: {1}", [list.length, sums.join(", ")]);
		}
		promise_selected.disabled = !list.length;
		if (upi_selected) {
			upi_selected.disabled = !list.length || list.some((row) => row.dataset.upi !== "1");
		}
		if (select_all) {
			select_all.checked = list.length === rows.length;
			select_all.indeterminate = list.length > 0 && list.length < rows.length;
		}
	}

	rows.forEach((row) =>
		row.querySelector(".portal-select").addEventListener("change", update_selection)
	);
	if (select_all) {
		select_all.addEventListener("change", () => {
			rows.forEach((row) => (row.querySelector(".portal-select").checked = select_all.checked));
			update_selection();
		});
	}

	// ------------------------------------------------------------------ promise to pay

	const promise_dialog = document.getElementById("portal-promise-dialog");
	const promise_form = document.getElementById("portal-promise-form");
	let promise_rows = [];

	function open_promise(list, from) {
		const status = document.getElementById("portal-status");
		const blocked = list.filter((row) => row.dataset.canPromise !== "1");
		if (blocked.length) {
			status.textContent = __(
				"{0} cannot be promised: it is disputed or already has a promise to pay.",
				[blocked.map((row) => row.dataset.invoice).join(", ")]
			);
			status.focus();
			return;
		}
		if (Object.keys(totals(list)).length > 1) {
			status.textContent = __("Choose invoices in one currency.");
			status.focus();
			return;
		}
		promise_rows = list;
		const currency = list[0].dataset.currency;
		const total = Object.values(totals(list))[0];
		promise_form.reset();
		promise_form.amount.value = total.toFixed(2);
		promise_form.amount.max = total.toFixed(2);
		document.getElementById("promise-invoices").textContent = __("Invoices: {0}. Outstanding: {1}.", [
			list.map((row) => row.dataset.invoice).join(", "),
			money(total, currency),
		]);
		open_dialog(promise_dialog, from);
	}

	root.querySelectorAll(".portal-promise").forEach((button) =>
		button.addEventListener("click", () => open_promise([button.closest("tr")], button))
	);
	if (promise_selected) {
		promise_selected.addEventListener("click", () => open_promise(chosen(), promise_selected));
	}

	if (promise_form) {
		promise_form.addEventListener("submit", (event) => {
			event.preventDefault();
			const total = Object.values(totals(promise_rows))[0];
			const problem =
				check_amount(promise_form.amount, total) ||
				check_date(promise_form.promised_date) ||
				check_file(promise_form.attachment);
			if (problem) {
				set_error(promise_form, problem);
				return;
			}
			submit(promise_form, async () => {
				const data = new FormData(promise_form);
				data.set("invoices", JSON.stringify(promise_rows.map((row) => row.dataset.invoice)));
				const result = await post("promise", data);
				done(result.message);
			});
		});
	}

	// ------------------------------------------------------------------ dispute

	const dispute_dialog = document.getElementById("portal-dispute-dialog");
	const dispute_form = document.getElementById("portal-dispute-form");
	let dispute_row = null;

	root.querySelectorAll(".portal-dispute").forEach((button) =>
		button.addEventListener("click", () => {
			dispute_row = button.closest("tr");
			const outstanding = parseFloat(dispute_row.dataset.outstanding);
			dispute_form.reset();
			dispute_form.amount.value = outstanding.toFixed(2);
			dispute_form.amount.max = outstanding.toFixed(2);
			document.getElementById("dispute-invoice-label").textContent = __(
				"Invoice {0}, outstanding {1}.",
				[dispute_row.dataset.invoice, money(outstanding, dispute_row.dataset.currency)]
			);
			open_dialog(dispute_dialog, button);
		})
	);

	if (dispute_form) {
		dispute_form.addEventListener("submit", (event) => {
			event.preventDefault();
			const outstanding = parseFloat(dispute_row.dataset.outstanding);
			let problem = null;
			if (!dispute_form.reason.value) {
				problem = __("Choose the reason for the dispute.");
			} else if (!dispute_form.note.value.trim()) {
				problem = __("Tell us what is wrong with the invoice.");
			}
			problem =
				problem ||
				check_amount(dispute_form.amount, outstanding) ||
				check_file(dispute_form.attachment);
			if (problem) {
				set_error(dispute_form, problem);
				return;
			}
			submit(dispute_form, async () => {
				const data = new FormData(dispute_form);
				data.set("invoice", dispute_row.dataset.invoice);
				const result = await post("dispute", data);
				done(result.message);
			});
		});
	}

	// ------------------------------------------------------------------ pay: gateway and UPI

	root.querySelectorAll(".portal-pay").forEach((button) =>
		button.addEventListener("click", async () => {
			button.disabled = true;
			try {
				const data = new FormData();
				data.set("invoice", button.closest("tr").dataset.invoice);
				const result = await post("pay", data);
				window.location.href = result.url;
			} catch (e) {
				const status = document.getElementById("portal-status");
				status.textContent = e.message;
				status.focus();
			} finally {
				button.disabled = false;
			}
		})
	);

	const upi_dialog = document.getElementById("portal-upi-dialog");

	async function open_upi(list, from) {
		try {
			const result = await get("upi", {
				invoices: JSON.stringify(list.map((row) => row.dataset.invoice)),
			});
			const image = document.getElementById("upi-qr");
			image.src = result.qr;
			image.alt = __("UPI QR code to pay {0}", [result.amount]);
			document.getElementById("upi-link").href = result.link;
			document.getElementById("upi-amount").textContent = __("Pay {0} for {1}.", [
				result.amount,
				result.invoices.join(", "),
			]);
			open_dialog(upi_dialog, from);
		} catch (e) {
			const status = document.getElementById("portal-status");
			status.textContent = e.message;
			status.focus();
		}
	}

	root.querySelectorAll(".portal-upi").forEach((button) =>
		button.addEventListener("click", () => open_upi([button.closest("tr")], button))
	);
	if (upi_selected) {
		upi_selected.addEventListener("click", () => open_upi(chosen(), upi_selected));
	}

	// ------------------------------------------------------------------ statement

	const statement_form = document.getElementById("portal-statement-form");
	if (statement_form) {
		statement_form.addEventListener("submit", (event) => {
			event.preventDefault();
			const from = statement_form.from_date;
			const to = statement_form.to_date;
			const problem =
				check_date(from) ||
				check_date(to) ||
				(from.value > to.value ? __("The statement must start before it ends.") : null);
			if (problem) {
				set_error(statement_form, problem);
				return;
			}
			submit(statement_form, async () => {
				const params = { from_date: from.value, to_date: to.value };
				if (statement_form.company) {
					params.company = statement_form.company.value;
				}
				const response = await fetch(url_of("statement_pdf", params), {
					headers: headers(),
					credentials: "same-origin",
				});
				if (!response.ok) {
					const body = await response.json().catch(() => ({}));
					throw new Error(error_of(response, body));
				}
				const blob = await response.blob();
				const link = document.createElement("a");
				link.href = URL.createObjectURL(blob);
				link.download = __("Statement {0} to {1}.pdf", [from.value, to.value]);
				document.body.appendChild(link);
				link.click();
				link.remove();
				setTimeout(() => URL.revokeObjectURL(link.href), 10000);
			});
		});
	}

	// ------------------------------------------------------------------ balance confirmation

	const confirm_form = document.getElementById("portal-confirm-form");
	if (confirm_form) {
		const difference = confirm_form.querySelector(".portal-difference");
		const balance = document.getElementById("confirm-balance");

		confirm_form.querySelectorAll("input[name=response]").forEach((radio) =>
			radio.addEventListener("change", () => {
				difference.hidden = confirm_form.response.value !== "Disputed";
			})
		);

		async function refresh_balance() {
			if (check_date(confirm_form.as_of_date)) {
				return;
			}
			const params = { as_of_date: confirm_form.as_of_date.value };
			if (confirm_form.company) {
				params.company = confirm_form.company.value;
			}
			try {
				balance.textContent = (await get("balance", params)).formatted;
				set_error(confirm_form, "");
			} catch (e) {
				set_error(confirm_form, e.message);
			}
		}
		confirm_form.as_of_date.addEventListener("change", refresh_balance);
		if (confirm_form.company) {
			confirm_form.company.addEventListener("change", refresh_balance);
		}

		confirm_form.addEventListener("submit", (event) => {
			event.preventDefault();
			let problem = check_date(confirm_form.as_of_date);
			const answer = confirm_form.response.value;
			if (!problem && !answer) {
				problem = __("Say whether the balance is right.");
			}
			if (!problem && answer === "Disputed") {
				if (!parseFloat(confirm_form.difference_amount.value)) {
					problem = __("Enter the difference between your books and this balance.");
				} else if (!confirm_form.note.value.trim()) {
					problem = __("Tell us what the difference is about.");
				}
			}
			if (problem) {
				set_error(confirm_form, problem);
				return;
			}
			submit(confirm_form, async () => {
				const result = await post("confirm_balance", new FormData(confirm_form));
				done(result.message);
			});
		});
	}

	root.querySelectorAll(".portal-error").forEach((box) => (box.hidden = true));
	update_selection();
	show_status();
});
