"""The app's typed errors, in one place: the failures callers and tests catch by kind. Each is a
``frappe.ValidationError`` (HTTP 417) or a ``frappe.PermissionError`` (HTTP 403), so Frappe reports it exactly
as the plain error it refines: the message, its title and the status code a client sees do not change.

Raise one with ``frappe.throw(message, SomeError)`` (or ``exc=SomeError``)."""

import frappe

# ------------------------------------------------------------------------------------ not permitted


class HoldReleaseNotPermitted(frappe.PermissionError):
	"""Only a Collections Manager (or ERPNext's credit controller) lifts a collections hold."""


class SystemActivityError(frappe.PermissionError):
	"""A person tried to create or change an activity that makes the system send something."""


class PromiseChangeNotPermitted(frappe.PermissionError):
	"""A promise's status is computed from payments, and what was promised is a record."""


class PortalAccessDenied(frappe.PermissionError):
	"""Refused: not logged in, not linked to the customer, bad link, or not this customer's document."""


# ------------------------------------------------------------------------------------- not valid


class ModelIntegrityError(frappe.ValidationError):
	"""A model file this site's training job did not write (or that changed since): never unpickled."""


class DunningRunBusyError(frappe.ValidationError):
	"""The run still holds a live lease: its worker is at it."""


class ProviderURLNotAllowed(frappe.ValidationError):
	"""The WhatsApp provider URL is not Meta's over HTTPS and no System Manager allowed it."""


class ReminderStepNotFoundError(frappe.ValidationError):
	"""A reminder's step id names no step of its sequence (removed or changed since it was queued, or a
	forged row): it is not sent; the row fails like any error while sending."""


class InvalidPromiseError(frappe.ValidationError):
	"""A promise to pay that cannot be recorded as it stands: no amount, more than is owed, a date in the
	past, an invoice that is not the customer's or not submitted, instalments that do not add up; or a
	promise no longer open that someone asks to cancel."""


class InvalidDisputeError(frappe.ValidationError):
	"""A dispute that cannot be raised or resolved as it stands: not a submitted invoice, a second open
	dispute on it, more than is outstanding, a transition its status does not allow, a resolution without
	its credit note."""


class OnlinePaymentUnavailable(frappe.ValidationError):
	"""No gateway can take payment of the invoice: the ``payments`` app is not installed, no Payment
	Gateway Account serves its company and currency, or nothing is left to pay."""


class PaymentInProgress(frappe.ValidationError):
	"""The gateway took money through an open Payment Request of the invoice and the payment is not yet
	on the books: no new request until it is."""
