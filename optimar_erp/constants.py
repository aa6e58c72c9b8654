"""The app's vocabulary: statuses, bands, leases and limits, one name each, shared by the Frappe shell and the
engine. Pure Python (no frappe): the engine imports it too."""

# ---------------------------------------------------------------------------------------- Amounts

AMOUNT_TOLERANCE = 0.005
"""Half a cent: amounts closer than this are equal, balances smaller than this are zero. An invoice is open
when its outstanding amount is above it (the one open-invoice condition of the read side,
:func:`optimar_erp.queries.invoices.is_open`, and of the engine)."""

# ------------------------------------------------------------------------------------ Dunning Run

RUN_QUEUED = "Queued"
RUN_RUNNING = "Running"
RUN_COMPLETED = "Completed"
RUN_FAILED = "Failed"
RUN_CANCELLED = "Cancelled"
RUN_ACTIVE: tuple[str, ...] = (RUN_QUEUED, RUN_RUNNING)
"""A run in one of these holds a lease: while the lease lasts nobody else may start, cancel or re-run it."""
RUN_LEASE_MINUTES = 30
"""How long a run's lease lasts from its last heartbeat (taken on submit, renewed at each chunk and every
few sends). A run whose lease expired has lost its worker: the hourly job marks it Failed."""
HEARTBEAT_EVERY = 25
"""Sends between two heartbeats of a run's lease."""

# ---------------------------------------------------------------------------- Collection Activity

ACTIVITY_QUEUED = "Queued"
ACTIVITY_SENDING = "Sending"
"""Taken by exactly one worker (conditional update from Queued or Failed), being sent."""
ACTIVITY_SENT = "Sent"
ACTIVITY_FAILED = "Failed"
ACTIVITY_SKIPPED = "Skipped"
ACTIVITY_UNKNOWN = "Unknown"
"""The provider may or may not have sent it (a timeout after the request left): a person decides; never
retried by the system."""
MAX_SEND_ATTEMPTS = 5
RETRY_BASE_MINUTES = 5
"""Backoff of a failed send: 5 × 2^attempts minutes (10, 20, 40, 80 minutes)."""
WORDED_CHANNELS: tuple[str, ...] = ("Email", "Letter", "SMS", "WhatsApp")
"""Channels whose steps send a subject and message (a Call Task makes a task)."""

TRANSACTIONAL_CHANNELS: tuple[str, ...] = ("Email", "Letter", "Call Task")
"""Channels whose send is rows in this database (Email Queue, ToDo) committed together with the
activity: a send that did not commit did not happen. SMS and WhatsApp leave the building at once."""
SENDING_ACTIVITY_TYPES: tuple[str, ...] = ("Reminder", "Thank You")
"""Activity types that make the system send something: only its own code paths create or change them."""

INTEREST_CHARGED = "Interest Charged"
INTEREST_WAIVED = "Interest Waived"
INTEREST_ACTIVITY_TYPES: tuple[str, ...] = (INTEREST_CHARGED, INTEREST_WAIVED)
"""Late-payment interest charged (a Journal Entry) or waived by a manager: written only by the app's Charge
and Waive (the period they cover is never charged again), never by hand."""

HUMAN_TOUCH_TYPES: tuple[str, ...] = ("Call", "Note", "Promise", "Dispute")
"""Activities a person made (a collector, or the customer through the portal): one today takes the
customer off today's worklist. Reminders, escalations and holds the dunning run made do not: the run
reminding a customer is no reason to hide it from its collector."""

# ------------------------------------------------------------------------- Promises and disputes

PROMISE_OPEN = "Open"
PROMISE_KEPT = "Kept"
PROMISE_PARTIALLY_KEPT = "Partially Kept"
PROMISE_BROKEN = "Broken"
PROMISE_CANCELLED = "Cancelled"
PROMISE_STATUSES: tuple[str, ...] = (
	PROMISE_OPEN,
	PROMISE_KEPT,
	PROMISE_PARTIALLY_KEPT,
	PROMISE_BROKEN,
	PROMISE_CANCELLED,
)
PROMISE_BROKEN_STATUSES: tuple[str, ...] = (PROMISE_BROKEN, PROMISE_PARTIALLY_KEPT)
"""A promise in one of these was not kept in full: it counts against the customer (escalation, alerts,
the worklist) for BROKEN_PROMISE_LOOKBACK_DAYS."""
BROKEN_PROMISE_LOOKBACK_DAYS = 180

DISPUTE_OPEN_STATUSES: tuple[str, ...] = ("Open", "Under Review")
"""A dispute in one of these pauses the dunning of its invoice and refuses a second dispute on it."""

CHEQUE_PENDING = "Pending"
CHEQUE_CLEARED = "Cleared"
CHEQUE_BOUNCED = "Bounced"
"""Post-dated cheque statuses (with "Cancelled"); a bounce counts in the risk model's features."""

PAYMENT_REQUEST_PARTLY_PAID = "Partially Paid"
PAYMENT_REQUEST_OPEN_STATUSES: tuple[str, ...] = ("Requested", "Initiated", PAYMENT_REQUEST_PARTLY_PAID)
"""A submitted Payment Request in one of these is awaiting payment: the one link reminders and the portal's
Pay reuse while what it asks is the invoice's outstanding. "Partially Paid": ERPNext matched a payment of
the invoice to it, and it asks for the rest."""

GATEWAY_PAID_STATUSES: tuple[str, ...] = ("Authorized", "Completed")
"""An Integration Request in one of these says the gateway took the customer's money: its Payment Request
is being paid and is neither cancelled nor replaced."""
