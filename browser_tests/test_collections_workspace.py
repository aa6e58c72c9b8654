"""The Collections workspace (number cards, charts, shortcuts), the worklist and its one-click actions."""

from conftest import BASE, shot


def test_workspace_renders_cards_and_charts(desk):
	charts_loaded = []
	desk.on(
		"response",
		lambda r: charts_loaded.append(r.status) if "frappe.desk.query_report.run" in r.url else None,
	)
	desk.goto(f"{BASE}/app/collections")
	cards = desk.locator(".widget.number-widget-box")
	cards.first.wait_for()
	assert cards.count() == 7
	# every card has loaded a figure
	desk.wait_for_function(
		"""() => [...document.querySelectorAll('.widget.number-widget-box .number')]
			.filter(n => n.innerText.trim() !== '').length === 7""",
		timeout=60_000,
	)
	assert "TOTAL OVERDUE" in desk.locator(".widget.number-widget-box").first.inner_text().upper()
	for _ in range(120):  # each chart runs its report
		if len(charts_loaded) >= 3:
			break
		desk.wait_for_timeout(500)
	assert charts_loaded == [200, 200, 200]
	desk.wait_for_function(
		"() => document.querySelectorAll('.widget.dashboard-widget-box .chart-container svg').length === 3",
		timeout=30_000,
	)
	assert desk.locator(".widget.shortcut-widget-box", has_text="Collections Worklist").count() == 1
	desk.wait_for_timeout(1500)  # let the charts finish their animation
	shot(desk, "collections-workspace")


def test_worklist_ranks_and_an_action_takes_the_row_off(desk):
	desk.goto(f"{BASE}/app/query-report/Collections Worklist")
	first_button = desk.locator(".dt-row .optimar-wl-action[data-wl-action='call']").first
	first_button.wait_for(timeout=60_000)
	shot(desk, "collections-worklist")
	customer = first_button.get_attribute("data-customer")
	first_button.click()
	dialog = desk.locator(".modal.show")
	dialog.locator("select[data-fieldname='outcome']").select_option("Left Message")
	dialog.locator(".btn-primary", has_text="Log").click()
	desk.wait_for_function(
		"(c) => ![...document.querySelectorAll('.dt-row .optimar-wl-action')].some(b => b.dataset.customer === c)",
		arg=customer,
		timeout=30_000,
	)
	shot(desk, "collections-worklist-after-call")
