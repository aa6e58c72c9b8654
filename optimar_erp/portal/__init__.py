"""The customer self-service portal: a website page where a customer sees, pays, promises, disputes and
confirms the balance of their account, reached by logging in or through a signed link from a reminder.

- ``access``  who is looking (session user linked to a Customer, or a signed link) and throttling
- ``links``   signed, expiring, revocable Portal Access Links
- ``queries`` the customer's invoices, statuses, aging, ledger balance and statement (always by customer)
- ``actions`` promises, disputes and balance confirmations made from the portal
- ``api``     the whitelisted endpoints the page calls (each re-resolves the viewer)
"""
