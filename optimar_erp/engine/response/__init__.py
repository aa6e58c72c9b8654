"""Learning collections: a response model learned from the site's own touches, a reminder policy that uses
it within the compliance guards, the customer's payment-run calendar, and honest evaluation (simulated
truth and off-policy estimates). Pure Python (pandas, scikit-learn): no frappe."""
